package io.fleetline.commons.readings;

import java.time.Instant;

import io.vertx.core.json.JsonObject;

/**
 * A reading as committed to {@code telemetry.readings}: what the rule evaluator and the queries
 * see. {@code ts} is the device time (or the arrival time when the device sent none).
 */
public record StoredReading(long id, String deviceId, Instant ts, Instant receivedAt, JsonObject payload) {
}
