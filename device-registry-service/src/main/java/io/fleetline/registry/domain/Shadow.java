package io.fleetline.registry.domain;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** Desired against reported configuration; in sync when the device reported the desired version and content. */
public record Shadow(JsonNode desired, JsonNode reported, int version, Integer reportedVersion, boolean inSync,
        Instant reportedAt) {
}
