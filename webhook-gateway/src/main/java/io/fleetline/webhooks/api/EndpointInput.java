package io.fleetline.webhooks.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.events.Severity;
import io.fleetline.webhooks.domain.Endpoint;

/** Validates a create or update body of {@code /webhooks} field by field and applies it to an endpoint. */
final class EndpointInput {

    private static final Set<String> FIELDS = Set.of("url", "events", "min_severity", "device_ids", "format",
            "description", "enabled");
    private static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");
    private static final int URL_MAX = 2048;
    private static final int DESCRIPTION_MAX = 500;

    private EndpointInput() {
    }

    /** A new endpoint from a create body (url required, the rest defaulted). */
    static Endpoint create(JsonNode body) {
        Instant now = Instant.now();
        Endpoint blank = new Endpoint(Ids.next("wh_"), null, null, Severity.INFO, null, Endpoint.Format.GENERIC, null,
                true, null, now, now);
        if (body == null || !body.isObject() || !body.has("url")) {
            throw ApiException.invalidField("url", "is required");
        }
        return apply(blank, body);
    }

    /** {@code current} with the fields present in {@code body} replaced; a null list means "all". */
    static Endpoint apply(Endpoint current, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("Body must be a JSON object.");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.invalidField(name, "is not a webhook field (allowed: "
                        + FIELDS.stream().sorted().collect(Collectors.joining(", ")) + ")");
            }
        }
        String url = body.has("url") ? url(body.get("url")) : current.url();
        List<String> events = body.has("events") ? events(body.get("events")) : current.events();
        Severity minSeverity = body.has("min_severity") ? severity(body.get("min_severity")) : current.minSeverity();
        List<String> devices = body.has("device_ids") ? devices(body.get("device_ids")) : current.deviceIds();
        Endpoint.Format format = body.has("format") ? format(body.get("format")) : current.format();
        String description = body.has("description") ? description(body.get("description")) : current.description();
        boolean enabled = body.has("enabled") ? enabled(body.get("enabled")) : current.enabled();
        return new Endpoint(current.id(), url, events, minSeverity, devices, format, description, enabled,
                current.disabledReason(), current.createdAt(), current.updatedAt());
    }

    private static String url(JsonNode node) {
        String rule = "must be an absolute http or https URL of at most " + URL_MAX + " characters, without user info";
        if (node == null || !node.isTextual() || node.asText().length() > URL_MAX) {
            throw ApiException.invalidField("url", rule);
        }
        try {
            URI uri = new URI(node.asText());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawUserInfo() != null) {
                throw ApiException.invalidField("url", rule);
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw ApiException.invalidField("url", rule);
        }
    }

    private static List<String> events(JsonNode node) {
        String allowed = Arrays.stream(EventType.values()).map(EventType::wire).collect(Collectors.joining(", "));
        if (node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalidField("events", "must be a non-empty array of event types (" + allowed + ") or null for all");
        }
        List<String> events = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || EventType.fromWire(item.asText()) == null) {
                throw ApiException.invalidField("events", "must contain only event types (" + allowed + ")");
            }
            if (!events.contains(item.asText())) {
                events.add(item.asText());
            }
        }
        return events;
    }

    private static Severity severity(JsonNode node) {
        Severity severity = node.isTextual() ? Severity.fromWire(node.asText()) : null;
        if (severity == null) {
            throw ApiException.invalidField("min_severity", "must be one of info, warning, critical");
        }
        return severity;
    }

    private static List<String> devices(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        String rule = "must be a non-empty array of device ids matching " + DEVICE_ID.pattern() + " or null for all";
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalidField("device_ids", rule);
        }
        List<String> devices = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || !DEVICE_ID.matcher(item.asText()).matches()) {
                throw ApiException.invalidField("device_ids", rule);
            }
            if (!devices.contains(item.asText())) {
                devices.add(item.asText());
            }
        }
        return devices;
    }

    private static Endpoint.Format format(JsonNode node) {
        Endpoint.Format format = node.isTextual() ? Endpoint.Format.fromWire(node.asText()) : null;
        if (format == null) {
            throw ApiException.invalidField("format", "must be one of generic, discord");
        }
        return format;
    }

    private static String description(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().length() > DESCRIPTION_MAX) {
            throw ApiException.invalidField("description", "must be a string of at most " + DESCRIPTION_MAX + " characters");
        }
        return node.asText();
    }

    private static boolean enabled(JsonNode node) {
        if (!node.isBoolean()) {
            throw ApiException.invalidField("enabled", "must be true or false");
        }
        return node.asBoolean();
    }
}
