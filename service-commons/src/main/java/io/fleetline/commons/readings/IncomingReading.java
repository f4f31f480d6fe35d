package io.fleetline.commons.readings;

import java.time.Instant;

import io.vertx.core.json.JsonObject;

/**
 * A validated reading on its way to {@link ReadingWriter}.
 *
 * @param deviceId the device it belongs to (from the topic or path)
 * @param ts the device time, or null when the device sent none (the commit time is used)
 * @param msgId the device's message id, or null
 * @param payload the metrics only (no {@code ts}, {@code msg_id}, {@code device_id})
 * @param payloadJson {@code payload} serialized, as stored in {@code jsonb}
 * @param receivedAt when the service received it
 */
public record IncomingReading(String deviceId, Instant ts, String msgId, JsonObject payload, String payloadJson,
        Instant receivedAt) {

    /** The idempotency key: {@code m:<msg_id>}, else {@code t:<epoch micros>}, else null (always stored). */
    public String idempotencyKey() {
        if (msgId != null) {
            return "m:" + msgId;
        }
        if (ts != null) {
            return "t:" + (ts.getEpochSecond() * 1_000_000L + ts.getNano() / 1_000);
        }
        return null;
    }
}
