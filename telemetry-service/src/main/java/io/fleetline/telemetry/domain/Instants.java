package io.fleetline.telemetry.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fleetline.commons.api.ApiException;

/**
 * Query-string instants: RFC 3339 with {@code Z} or an offset, without an offset (read as UTC),
 * a bare date (midnight UTC), epoch milliseconds, {@code now}, or relative to now such as
 * {@code -24h}, {@code -7d}, {@code -30m}, {@code -90s}, {@code -2w}.
 */
public final class Instants {

    private static final Pattern RELATIVE = Pattern.compile("^-(\\d{1,9})([smhdw])$");
    private static final Pattern EPOCH_MS = Pattern.compile("^-?\\d{1,15}$");
    // an unencoded '+' in a query string arrives as a space: "10:00:00 02:00" meant "+02:00"
    private static final Pattern LOST_PLUS = Pattern.compile("^(.*T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?) (\\d{2}:?\\d{2})$");

    private Instants() {
    }

    /** The instant {@code text} names for query parameter {@code field}, or a 400 naming the accepted forms. */
    public static Instant parse(String field, String text, Instant now) {
        String value = text.trim();
        try {
            if (value.equalsIgnoreCase("now")) {
                return now;
            }
            Matcher relative = RELATIVE.matcher(value);
            if (relative.matches()) {
                long amount = Long.parseLong(relative.group(1));
                Duration unit = switch (relative.group(2)) {
                    case "s" -> Duration.ofSeconds(1);
                    case "m" -> Duration.ofMinutes(1);
                    case "h" -> Duration.ofHours(1);
                    case "d" -> Duration.ofDays(1);
                    default -> Duration.ofDays(7);
                };
                return now.minus(unit.multipliedBy(amount));
            }
            if (EPOCH_MS.matcher(value).matches()) {
                return Instant.ofEpochMilli(Long.parseLong(value));
            }
            Matcher lostPlus = LOST_PLUS.matcher(value);
            if (lostPlus.matches()) {
                value = lostPlus.group(1) + "+" + lostPlus.group(4);
            }
            if (value.length() > 10 && value.charAt(10) == ' ') {
                value = value.substring(0, 10) + "T" + value.substring(11);
            }
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (value.endsWith("Z") || value.endsWith("z") || hasOffset(value)) {
                return OffsetDateTime.parse(value.replace('z', 'Z').replace('t', 'T')).toInstant();
            }
            return LocalDateTime.parse(value.replace('t', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiException.invalidField(field, "must be an RFC 3339 time (2024-05-01T10:00:00Z, with an offset,"
                    + " or without one for UTC), a date (2024-05-01, midnight UTC), epoch milliseconds, now,"
                    + " or relative like -24h or -7d.");
        }
    }

    private static boolean hasOffset(String value) {
        int t = value.indexOf('T');
        return t > 0 && (value.indexOf('+', t) > 0 || value.indexOf('-', t) > 0);
    }
}
