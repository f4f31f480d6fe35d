package io.fleetline.registry.api;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.api.ApiException;

/**
 * Reads request bodies as JSON trees with the platform's strict mapper, so that the routes see
 * exactly what was sent (an array, null, a number) and answer 400 for anything but the documented shape.
 */
@ApplicationScoped
class Bodies {

    private final ObjectMapper json;

    Bodies(ObjectMapper json) {
        this.json = json;
    }

    /** The body as JSON; an empty body is a 400, malformed JSON goes to the shared malformed-JSON mapper. */
    JsonNode parse(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("Request body must be a JSON object.");
        }
        return json.readTree(body);
    }
}
