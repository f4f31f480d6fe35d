package io.fleetline.telemetry.domain;

import java.time.Instant;
import java.util.Map;

/** A stored reading as the query routes answer it. */
public record Reading(long id, String deviceId, Instant timestamp, Instant receivedAt, Map<String, Object> payload) {
}
