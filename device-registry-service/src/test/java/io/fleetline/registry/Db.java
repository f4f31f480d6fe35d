package io.fleetline.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Direct reads and writes of the test database, to assert stored state and stage what other services write. */
final class Db {

    private Db() {
    }

    static List<Row> rows(Pool pool, String sql, Object... params) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(List.of(params)))
                .await().atMost(Duration.ofSeconds(10))
                .forEach(rows::add);
        return rows;
    }

    static long count(Pool pool, String sql, Object... params) {
        return rows(pool, sql, params).get(0).getLong(0);
    }

    static void execute(Pool pool, String sql, Object... params) {
        pool.preparedQuery(sql).execute(Tuple.from(List.of(params))).await().atMost(Duration.ofSeconds(10));
    }
}
