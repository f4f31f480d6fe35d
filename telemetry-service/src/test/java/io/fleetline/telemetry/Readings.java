package io.fleetline.telemetry;

import java.time.Duration;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Readings written straight into {@code telemetry.readings}, for query tests that need exact rows. */
final class Readings {

    private Readings() {
    }

    /** Inserts one reading at device time {@code ts} (any PostgreSQL timestamptz text) and returns its id. */
    static long insert(Pool pool, String deviceId, String ts, String payloadJson) {
        return pool.preparedQuery("INSERT INTO telemetry.readings (device_id, ts, payload)"
                + " VALUES ($1, $2::text::timestamptz, $3::text::jsonb) RETURNING id")
                .execute(Tuple.of(deviceId, ts, payloadJson))
                .await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }
}
