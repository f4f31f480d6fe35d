package io.fleetline.commons.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Event severity, ordered: {@code info < warning < critical}. */
public enum Severity {
    INFO,
    WARNING,
    CRITICAL;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    /** The severity named {@code wire}, or null when unknown. */
    @JsonCreator
    public static Severity fromWire(String wire) {
        for (Severity severity : values()) {
            if (severity.wire().equals(wire)) {
                return severity;
            }
        }
        return null;
    }

    /** Whether this severity is at or above {@code minimum}. */
    public boolean atLeast(Severity minimum) {
        return compareTo(minimum) >= 0;
    }
}
