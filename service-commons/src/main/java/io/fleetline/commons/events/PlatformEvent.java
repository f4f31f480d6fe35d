package io.fleetline.commons.events;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A platform event as published on {@code platform/events/{event}} (a superset of the alert
 * payloads existing webhook receivers expect). Absent fields are left out of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlatformEvent(
        EventType event,
        String eventId,
        String alertId,
        String deviceId,
        String deviceName,
        Instant timestamp,
        Severity severity,
        String condition,
        Double currentValue,
        Double threshold,
        String message,
        Map<String, Object> metadata) {

    /** A new event of {@code type} about {@code deviceId}, stamped now, with a fresh id. */
    public static PlatformEvent of(EventType type, String deviceId, Severity severity, String message) {
        return new PlatformEvent(type, Ids.event(), null, deviceId, null, Instant.now(), severity, null, null, null,
                message, null);
    }

    /** This event with the device's display name. */
    public PlatformEvent withDeviceName(String name) {
        return new PlatformEvent(event, eventId, alertId, deviceId, name, timestamp, severity, condition, currentValue,
                threshold, message, metadata);
    }

    /** This event with {@code metadata}. */
    public PlatformEvent withMetadata(Map<String, Object> data) {
        return new PlatformEvent(event, eventId, alertId, deviceId, deviceName, timestamp, severity, condition,
                currentValue, threshold, message, data);
    }

    /** This event with the alert fields of a threshold rule. */
    public PlatformEvent withAlert(String alertIdValue, String conditionText, double value, double limit) {
        return new PlatformEvent(event, eventId, alertIdValue, deviceId, deviceName, timestamp, severity,
                conditionText, value, limit, message, metadata);
    }
}
