package io.fleetline.registry.store;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * jsonb columns travel as text ({@code col::text} out, {@code $n::text::jsonb} in): the pg client
 * would otherwise encode a Java string as a JSON string value.
 */
@ApplicationScoped
public class JsonColumns {

    private final ObjectMapper json;

    JsonColumns(ObjectMapper json) {
        this.json = json;
    }

    /** The JSON value of a jsonb column read as text; null stays null. */
    public JsonNode read(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("jsonb column is not JSON", e);
        }
    }

    /** {@code value} as JSON text; null stays null. */
    public String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("value cannot be serialized", e);
        }
    }
}
