package io.fleetline.registry.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.auth.Permission;

/**
 * A validated request for a key. Permissions are stored with what they imply ({@code write}
 * becomes {@code read, write}), so every reader of the table sees the full set.
 */
public record NewKey(String name, List<String> permissions, Instant expiresAt, List<String> deviceIds,
        Integer rateLimit) {

    private static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");
    private static final Set<String> FIELDS = Set.of("name", "permissions", "expires_at", "device_ids", "rate_limit");

    /** The request in {@code body}, or a 400 naming the first field that breaks its rule. */
    public static NewKey from(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("Request body must be a JSON object.");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw ApiException.invalidField(field, "is not a known field (name, permissions, expires_at, device_ids, rate_limit).");
            }
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank() || name.asText().length() > 100) {
            throw ApiException.invalidField("name", "must be a non-empty string of at most 100 characters.");
        }
        return new NewKey(name.asText().trim(), permissions(body.get("permissions")), expiresAt(body.get("expires_at")),
                deviceIds(body.get("device_ids")), rateLimit(body.get("rate_limit")));
    }

    /** {@code permissions} with the ones they imply, lowest first. */
    public static List<String> expand(Permission highest) {
        List<String> all = new ArrayList<>();
        for (Permission permission : Permission.values()) {
            if (highest.grants(permission)) {
                all.add(permission.wire());
            }
        }
        return all;
    }

    private static List<String> permissions(JsonNode node) {
        String rule = "must be a non-empty array of 'read', 'write', 'admin'.";
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiException.invalidField("permissions", rule);
        }
        Permission highest = Permission.READ;
        for (JsonNode item : node) {
            if (!item.isTextual() || !Set.of("read", "write", "admin").contains(item.asText())) {
                throw ApiException.invalidField("permissions", rule);
            }
            Permission permission = Permission.valueOf(item.asText().toUpperCase());
            if (permission.grants(highest)) {
                highest = permission;
            }
        }
        return expand(highest);
    }

    private static Instant expiresAt(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Instant at;
        try {
            at = node.isIntegralNumber() ? Instant.ofEpochMilli(node.asLong())
                    : java.time.OffsetDateTime.parse(node.asText()).toInstant();
        } catch (RuntimeException e) {
            throw ApiException.invalidField("expires_at", "must be an RFC 3339 timestamp with an offset, or epoch milliseconds.");
        }
        if (!at.isAfter(Instant.now())) {
            throw ApiException.invalidField("expires_at", "must be in the future.");
        }
        return at;
    }

    private static List<String> deviceIds(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String rule = "must be a non-empty array of device ids matching " + DEVICE_ID.pattern() + ".";
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalidField("device_ids", rule);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || !DEVICE_ID.matcher(item.asText()).matches()) {
                throw ApiException.invalidField("device_ids", rule);
            }
            ids.add(item.asText());
        }
        return List.copyOf(ids);
    }

    private static Integer rateLimit(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > 1_000_000) {
            throw ApiException.invalidField("rate_limit", "must be an integer from 1 to 1000000 (requests per window).");
        }
        return node.asInt();
    }
}
