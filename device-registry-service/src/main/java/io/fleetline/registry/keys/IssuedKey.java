package io.fleetline.registry.keys;

import java.time.Instant;
import java.util.List;

/** A key just created or rotated: the only answer that ever carries the key itself. */
public record IssuedKey(String keyId, String key, String name, String prefix, List<String> permissions,
        List<String> deviceIds, Integer rateLimit, Instant created, Instant expiresAt) {
}
