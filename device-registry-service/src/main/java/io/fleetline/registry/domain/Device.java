package io.fleetline.registry.domain;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** A registered device as the API shows it; {@code config} is the desired configuration. */
public record Device(
        String deviceId,
        String name,
        String type,
        String location,
        JsonNode metadata,
        JsonNode config,
        String connectivity,
        Instant registered,
        Instant lastSeen) {
}
