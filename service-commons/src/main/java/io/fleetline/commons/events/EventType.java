package io.fleetline.commons.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The platform event types of docs/architecture.md; each is published on {@code platform/events/{type}}. */
public enum EventType {
    DEVICE_REGISTERED,
    DEVICE_DELETED,
    DEVICE_CONFIG_UPDATED,
    DEVICE_ONLINE,
    DEVICE_OFFLINE,
    THRESHOLD_EXCEEDED,
    THRESHOLD_CLEARED,
    COMMAND_STATUS_CHANGED,
    WEBHOOK_DISABLED,
    PING;

    /** The MQTT topic prefix every event is published under. */
    public static final String TOPIC_PREFIX = "platform/events/";

    /** The name on the wire, such as {@code threshold_exceeded}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    /** The MQTT topic this event type is published on. */
    public String topic() {
        return TOPIC_PREFIX + wire();
    }

    /** The type named {@code wire}, or null when it is not one of ours. */
    @JsonCreator
    public static EventType fromWire(String wire) {
        for (EventType type : values()) {
            if (type.wire().equals(wire)) {
                return type;
            }
        }
        return null;
    }
}
