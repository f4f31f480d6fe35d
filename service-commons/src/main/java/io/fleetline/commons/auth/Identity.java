package io.fleetline.commons.auth;

import java.util.List;

/**
 * An authenticated caller before it becomes the request's {@link Caller}.
 *
 * @param keyId the key id (the {@code sub} of a token)
 * @param permission the highest permission
 * @param deviceIds the device scope, or null for all devices
 * @param rateLimit the key's own limit, replacing every class's, or null
 * @param viaToken whether a JWT was presented
 */
public record Identity(String keyId, Permission permission, List<String> deviceIds, Integer rateLimit,
        boolean viaToken) {
}
