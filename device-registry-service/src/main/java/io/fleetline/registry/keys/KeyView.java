package io.fleetline.registry.keys;

import java.time.Instant;
import java.util.List;

/** A stored key as listed: never the key itself nor its hash. */
public record KeyView(String keyId, String name, String prefix, List<String> permissions, List<String> deviceIds,
        Integer rateLimit, Instant created, Instant expiresAt, Instant lastUsedAt, boolean revoked,
        String rotatedTo) {
}
