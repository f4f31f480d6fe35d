package io.fleetline.webhooks.domain;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import io.fleetline.commons.events.Severity;

/** A registered webhook receiver and what it subscribes to (null lists mean "all"); never carries its secret. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Endpoint(
        String id,
        String url,
        List<String> events,
        Severity minSeverity,
        List<String> deviceIds,
        Format format,
        String description,
        boolean enabled,
        String disabledReason,
        Instant createdAt,
        Instant updatedAt) {

    /** How deliveries to the endpoint are shaped. */
    public enum Format {
        /** The platform event bytes as received. */
        GENERIC,
        /** A Discord webhook message with one embed. */
        DISCORD;

        /** The name on the wire. */
        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }

        /** The format named {@code wire}, or null. */
        public static Format fromWire(String wire) {
            for (Format format : values()) {
                if (format.wire().equals(wire)) {
                    return format;
                }
            }
            return null;
        }
    }

    /** Whether an event of {@code type}, {@code severity} and {@code deviceId} goes to this endpoint. */
    public boolean matches(String type, Severity severity, String deviceId) {
        return (events == null || events.contains(type)) && severity.atLeast(minSeverity)
                && (deviceIds == null || deviceIds.contains(deviceId));
    }
}
