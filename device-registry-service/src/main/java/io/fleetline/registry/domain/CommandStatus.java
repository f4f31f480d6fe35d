package io.fleetline.registry.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a command: {@code pending -> sent -> delivered -> succeeded | failed}, or
 * {@code expired} when its TTL passes before it finished.
 */
public enum CommandStatus {
    PENDING,
    SENT,
    DELIVERED,
    SUCCEEDED,
    FAILED,
    EXPIRED;

    /** States in which the command may still be sent, acknowledged or expire. */
    public static final Set<CommandStatus> OPEN = EnumSet.of(PENDING, SENT, DELIVERED);

    /** The name on the wire and in the database. */
    public String wire() {
        return name().toLowerCase();
    }

    /** The status named {@code wire}, or null. */
    public static CommandStatus fromWire(String wire) {
        for (CommandStatus status : values()) {
            if (status.wire().equals(wire)) {
                return status;
            }
        }
        return null;
    }

    /** The states a device acknowledgement moving a command to this state may start from. */
    public Set<CommandStatus> reachableFrom() {
        return switch (this) {
            case DELIVERED -> EnumSet.of(PENDING, SENT);
            case SUCCEEDED, FAILED -> OPEN;
            default -> EnumSet.noneOf(CommandStatus.class);
        };
    }
}
