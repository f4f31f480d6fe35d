package io.fleetline.commons.store;

import io.vertx.pgclient.PgException;

/** PostgreSQL failure classification shared by every store. */
public final class Sql {

    private Sql() {
    }

    /** Whether {@code failure} is a unique-constraint violation (SQLState 23505). */
    public static boolean isUniqueViolation(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
    }
}
