package io.fleetline.commons.api;

import java.util.List;

/**
 * The {@code offset} and {@code limit} query parameters of a list route, parsed the same way by
 * every service. A limit above the route's maximum is served the maximum and the answer says so
 * in its {@code message}: a client that asked for more learns why it got fewer.
 *
 * @param offset items skipped, 0 or more
 * @param limit items per page, from 1 to the route's maximum
 * @param clampMessage the {@code message} of an answer whose limit was clamped, or null
 */
public record Paging(long offset, int limit, String clampMessage) {

    /**
     * Paging from the raw parameters (null or empty: offset 0, {@code defaultLimit}). Not an
     * integer, a negative offset or a limit below 1 is a 400 naming the field.
     */
    public static Paging of(String offset, String limit, int defaultLimit, int maxLimit) {
        String limitRule = "must be an integer of 1 or more; above " + maxLimit + " it is clamped to " + maxLimit + ".";
        long start = absent(offset) ? 0 : number("offset", offset, "must be an integer of 0 or more.");
        long size = absent(limit) ? Math.min(defaultLimit, maxLimit) : number("limit", limit, limitRule);
        if (size < 1) {
            throw ApiException.invalidField("limit", limitRule);
        }
        if (size <= maxLimit) {
            return new Paging(start, (int) size, null);
        }
        return new Paging(start, maxLimit, "limit " + limit.trim() + " is above the maximum; clamped to " + maxLimit + ".");
    }

    /** The pagination block of this page out of {@code total} items. */
    public Envelope.Pagination pagination(long total) {
        return Envelope.Pagination.of(offset, limit, total);
    }

    /** The answer for this page: its items, the pagination block and the clamp message, if any. */
    public Envelope page(List<?> items, long total) {
        return explain(Envelope.page(items, pagination(total)));
    }

    /** Adds the clamp message to a list answer whose limit was clamped (cursor-paged lists build their own). */
    public Envelope explain(Envelope answer) {
        return clampMessage == null ? answer : answer.with("message", clampMessage);
    }

    private static boolean absent(String value) {
        return value == null || value.isBlank();
    }

    /** Only ASCII digits (no sign, fraction or exponent); a number too large for a long is read as the largest. */
    private static long number(String field, String value, String rule) {
        String digits = value.trim();
        if (!digits.matches("[0-9]+")) {
            throw ApiException.invalidField(field, rule);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
