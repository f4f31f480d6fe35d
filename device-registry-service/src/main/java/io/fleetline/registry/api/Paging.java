package io.fleetline.registry.api;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.registry.config.RegistryConfig;

/** The {@code offset} and {@code limit} query parameters of a list route, validated. */
record Paging(long offset, int limit) {

    /** Paging from the raw parameters: non-numeric or negative is a 400, a limit above the maximum is served the maximum. */
    static Paging of(String offset, String limit, RegistryConfig config) {
        long start = offset == null || offset.isEmpty() ? 0 : number("offset", offset);
        long size = limit == null || limit.isEmpty() ? config.defaultPageSize() : number("limit", limit);
        if (size < 1) {
            throw ApiException.badRequest("Query parameter 'limit' must be an integer from 1 to "
                    + config.maxPageSize() + ".");
        }
        return new Paging(start, (int) Math.min(size, config.maxPageSize()));
    }

    /** The pagination block of a page out of {@code total}. */
    Envelope.Pagination of(long total) {
        return Envelope.Pagination.of(offset, limit, total);
    }

    private static long number(String name, String value) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("Query parameter '" + name + "' must be a non-negative integer.");
    }
}
