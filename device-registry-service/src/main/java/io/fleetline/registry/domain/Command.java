package io.fleetline.registry.domain;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command and its lifecycle: one timestamp per transition ({@code completed_at} for succeeded or
 * failed) and the device's result.
 */
public record Command(
        String commandId,
        String deviceId,
        String command,
        JsonNode params,
        String status,
        int ttlS,
        Instant createdAt,
        Instant expiresAt,
        Instant sentAt,
        Instant deliveredAt,
        Instant completedAt,
        Instant expiredAt,
        JsonNode result) {
}
