package io.fleetline.commons.rules;

import java.time.Instant;

import io.fleetline.commons.events.Severity;

/**
 * An alert rule of {@code telemetry.rules}: {@code metric <operator> threshold} on one device
 * ({@code deviceId}) or every device of a type ({@code deviceType}), held for {@code durationS}
 * seconds of device time before it fires; it clears when the value is no longer past
 * {@code clearThreshold} (or {@code threshold} when there is none).
 */
public record Rule(
        String id,
        String deviceId,
        String deviceType,
        String metric,
        Operator operator,
        double threshold,
        Double clearThreshold,
        Severity severity,
        int durationS,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt) {

    /** The condition as events show it, such as {@code temperature > 35.0}. */
    public String condition() {
        return metric + " " + operator.symbol() + " " + threshold;
    }

    /** Whether {@code value} still counts as alerting once the rule has fired (hysteresis). */
    public boolean stillHolds(double value) {
        return operator.test(value, clearThreshold == null ? threshold : clearThreshold);
    }
}
