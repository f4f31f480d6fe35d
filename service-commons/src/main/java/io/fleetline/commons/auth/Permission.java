package io.fleetline.commons.auth;

/** What a caller may do: {@code admin} implies {@code write}, {@code write} implies {@code read}. */
public enum Permission {
    READ,
    WRITE,
    ADMIN;

    /** The name on the wire and in messages, such as {@code admin}. */
    public String wire() {
        return name().toLowerCase();
    }

    /** Whether holding this permission grants {@code required}. */
    public boolean grants(Permission required) {
        return compareTo(required) >= 0;
    }
}
