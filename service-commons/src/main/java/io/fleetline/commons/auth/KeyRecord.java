package io.fleetline.commons.auth;

import java.time.Instant;
import java.util.List;

/**
 * What a service knows of one stored key: enough to authenticate and limit a request, never
 * the key or its hash.
 *
 * @param keyId the key's id
 * @param permission its highest permission
 * @param deviceIds the devices it is limited to, or null for all
 * @param expiresAt when it stops working (also the end of a rotation's grace), or null
 * @param revoked whether it was revoked
 * @param rateLimit its own requests per window, replacing every class's limit, or null
 */
public record KeyRecord(String keyId, Permission permission, List<String> deviceIds, Instant expiresAt,
        boolean revoked, Integer rateLimit) {

    /** Whether the key is expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** The highest permission among wire names such as {@code ["read","write"]}. */
    public static Permission highest(String[] wireNames) {
        Permission highest = null;
        for (String name : wireNames) {
            Permission permission = Permission.valueOf(name.toUpperCase());
            if (highest == null || permission.grants(highest)) {
                highest = permission;
            }
        }
        return highest == null ? Permission.READ : highest;
    }
}
