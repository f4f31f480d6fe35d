package io.fleetline.registry.domain;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;

/** What a device registration, a device edit and a desired configuration must look like. */
public final class DeviceRules {

    /** The contract's device id rule: safe as one MQTT topic level and one URL path segment. */
    public static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");
    /** Connectivity states the readings writer records. */
    public static final Set<String> CONNECTIVITY = Set.of("unknown", "online", "offline");

    private static final Set<String> REGISTRATION_FIELDS = Set.of("device_id", "name", "type", "location", "config",
            "metadata");
    private static final Set<String> EDITABLE_FIELDS = Set.of("name", "type", "location", "metadata");
    private static final String DEFAULT_TYPE = "sensor";
    private static final int MAX_NAME = 200;
    private static final int MAX_TYPE = 64;
    private static final int MAX_LOCATION = 200;
    private static final int MAX_SAMPLE_INTERVAL_S = 86400;

    private DeviceRules() {
    }

    /** {@code body} as a JSON object, or the 400 every route gives for an array, null, number or string. */
    public static ObjectNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("Request body must be a JSON object.");
        }
        return (ObjectNode) body;
    }

    /** The registration in {@code body}, or a 400 naming the first field that breaks its rule. */
    public static NewDevice registration(JsonNode body) {
        ObjectNode fields = object(body);
        onlyKnown(fields, REGISTRATION_FIELDS);
        String deviceId = requiredText(fields, "device_id");
        if (!DEVICE_ID.matcher(deviceId).matches()) {
            throw ApiException.invalidField("device_id", "must match " + DEVICE_ID.pattern());
        }
        String name = name(fields.get("name"));
        String type = fields.hasNonNull("type") ? type(fields.get("type")) : DEFAULT_TYPE;
        String location = location(fields.get("location"));
        ObjectNode metadata = fields.hasNonNull("metadata")
                ? objectField("metadata", fields.get("metadata"))
                : JsonNodeFactory.instance.objectNode();
        ObjectNode config = fields.hasNonNull("config")
                ? config(fields.get("config"), "config")
                : JsonNodeFactory.instance.objectNode();
        return new NewDevice(deviceId, name, type, location, metadata, config);
    }

    /**
     * {@code current} with the JSON merge patch {@code body} applied to its editable fields. A null
     * {@code type} resets it to {@code sensor}, a null {@code location} removes it, {@code metadata}
     * merges recursively; {@code last_seen}, {@code connectivity} and the id are not editable here.
     */
    public static DeviceFields edit(DeviceFields current, JsonNode body) {
        ObjectNode patch = object(body);
        Iterator<String> names = patch.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!EDITABLE_FIELDS.contains(field)) {
                throw ApiException.invalidField(field, field.equals("config")
                        ? "cannot be changed here; use /devices/{id}/config."
                        : "cannot be changed; editable fields are name, type, location and metadata.");
            }
        }
        String name = patch.has("name") ? name(patch.get("name")) : current.name();
        String type = !patch.has("type") ? current.type()
                : patch.get("type").isNull() ? DEFAULT_TYPE : type(patch.get("type"));
        String location = patch.has("location") ? location(patch.get("location")) : current.location();
        JsonNode metadata = current.metadata();
        if (patch.has("metadata")) {
            JsonNode change = patch.get("metadata");
            metadata = change.isNull()
                    ? JsonNodeFactory.instance.objectNode()
                    : MergePatch.apply(metadata, objectField("metadata", change));
        }
        return new DeviceFields(name, type, location, metadata);
    }

    /**
     * {@code value} as a desired configuration: a JSON object whose {@code sample_interval_s},
     * when present, is an integer from 1 to 86400.
     */
    public static ObjectNode config(JsonNode value, String field) {
        if (value == null || !value.isObject()) {
            throw ApiException.invalidField(field, "must be a JSON object.");
        }
        JsonNode interval = value.get("sample_interval_s");
        if (interval != null && !(interval.isIntegralNumber() && interval.canConvertToLong()
                && interval.asLong() >= 1 && interval.asLong() <= MAX_SAMPLE_INTERVAL_S)) {
            throw ApiException.invalidField("sample_interval_s",
                    "must be an integer from 1 to " + MAX_SAMPLE_INTERVAL_S + ".");
        }
        return (ObjectNode) value;
    }

    private static void onlyKnown(ObjectNode fields, Set<String> known) {
        Iterator<String> names = fields.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!known.contains(field)) {
                throw ApiException.invalidField(field, "is not a known field.");
            }
        }
    }

    private static String requiredText(ObjectNode fields, String field) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalidField(field, "is required.");
        }
        if (!value.isTextual()) {
            throw ApiException.invalidField(field, "must be a string.");
        }
        return value.textValue();
    }

    private static String name(JsonNode value) {
        if (value == null || value.isNull()) {
            throw ApiException.invalidField("name", "is required.");
        }
        return boundedText("name", value, MAX_NAME);
    }

    private static String type(JsonNode value) {
        return boundedText("type", value, MAX_TYPE);
    }

    private static String location(JsonNode value) {
        return value == null || value.isNull() ? null : boundedText("location", value, MAX_LOCATION);
    }

    private static String boundedText(String field, JsonNode value, int max) {
        if (!value.isTextual()) {
            throw ApiException.invalidField(field, "must be a string of 1 to " + max + " characters.");
        }
        String text = value.textValue();
        int length = text.codePointCount(0, text.length());
        if (text.isBlank() || length > max) {
            throw ApiException.invalidField(field, "must be a string of 1 to " + max + " characters.");
        }
        return text;
    }

    private static ObjectNode objectField(String field, JsonNode value) {
        if (!value.isObject()) {
            throw ApiException.invalidField(field, "must be a JSON object.");
        }
        return (ObjectNode) value;
    }
}
