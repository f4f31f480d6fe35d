package io.fleetline.webhooks.domain;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

/** One event's delivery to one endpoint, with its attempts when asked for in detail. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(
        String id,
        String endpointId,
        String eventId,
        String eventType,
        String deviceId,
        String state,
        int attemptCount,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant completedAt,
        @JsonRawValue String event,
        List<Attempt> attempts) {

    /** One HTTP attempt of a delivery as the receiver answered it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Attempt(int number, Instant attemptedAt, int durationMs, Integer responseStatus, String error,
            String responseBody, Instant nextAttemptAt) {
    }
}
