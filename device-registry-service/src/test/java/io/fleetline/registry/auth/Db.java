package io.fleetline.registry.auth;

import java.time.Duration;
import java.util.List;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads of the test database, to assert stored state. */
final class Db {

    private Db() {
    }

    static Row one(Pool pool, String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.from(List.of(params)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next();
    }

    static long count(Pool pool, String sql, Object... params) {
        return one(pool, sql, params).getLong(0);
    }
}
