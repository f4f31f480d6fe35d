package io.fleetline.commons.readings;

import java.util.Locale;

/** Why a reading was refused; {@link #label()} is the {@code reason} label of the rejection metrics. */
public enum RejectReason {
    /** Larger than the per-reading size limit (64 KiB). */
    OVERSIZE,
    /** The bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** Not JSON, duplicate keys or trailing garbage. */
    MALFORMED_JSON,
    /** JSON, but not an object ({@code [...]}, {@code null}, {@code 42}, {@code "x"}). */
    NOT_AN_OBJECT,
    /** An object without any metric. */
    NO_METRICS,
    /** NaN, Infinity or a number too large for a double, such as {@code 1e999}. */
    NON_FINITE_NUMBER,
    /** A metric name outside {@code ^[A-Za-z_][A-Za-z0-9_.-]{0,63}$}. */
    INVALID_METRIC_NAME,
    /** A string metric longer than 256 characters. */
    STRING_TOO_LONG,
    /** A value that is not a finite number, boolean, short string or nested object (null, array, too deep). */
    UNSUPPORTED_VALUE,
    /** {@code ts} is neither RFC 3339 nor epoch milliseconds. */
    INVALID_TS,
    /** {@code ts} is more than 24 hours ahead of the server clock. */
    TS_IN_FUTURE,
    /** {@code msg_id} is not a short printable string or an integer. */
    INVALID_MSG_ID,
    /** The payload's {@code device_id} differs from the device of the topic or path. */
    DEVICE_ID_MISMATCH,
    /** The device is not in {@code registry.devices}. */
    UNKNOWN_DEVICE,
    /** A topic that does not name a valid device id. */
    INVALID_TOPIC,
    /** A status message that is not {@code {"state":"online"|"offline","ts"?}}. */
    INVALID_STATUS;

    /** The metric label, such as {@code non_finite_number}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
