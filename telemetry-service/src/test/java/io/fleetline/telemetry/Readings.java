package io.fleetline.telemetry;

import java.time.Duration;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Readings written straight into {@code telemetry.readings}, for query tests that need exact rows,
 * with the {@code telemetry.metric_days} rows the readings writer would add.
 */
final class Readings {

    private Readings() {
    }

    /** Inserts one reading at device time {@code ts} (any PostgreSQL timestamptz text) and returns its id. */
    static long insert(Pool pool, String deviceId, String ts, String payloadJson) {
        long id = pool.preparedQuery("INSERT INTO telemetry.readings (device_id, ts, payload)"
                + " VALUES ($1, $2::text::timestamptz, $3::text::jsonb) RETURNING id")
                .execute(Tuple.of(deviceId, ts, payloadJson))
                .await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
        catalog(pool, deviceId);
        return id;
    }

    /** Adds the catalog rows of every reading of {@code deviceId} (as the writer does for what it stores). */
    static void catalog(Pool pool, String deviceId) {
        pool.preparedQuery("INSERT INTO telemetry.metric_days (device_id, day, metric)"
                + " SELECT DISTINCT device_id, (ts AT TIME ZONE 'UTC')::date, k FROM telemetry.readings,"
                + " jsonb_object_keys(payload) AS k WHERE device_id = $1 ON CONFLICT DO NOTHING")
                .execute(Tuple.of(deviceId))
                .await().atMost(Duration.ofSeconds(10));
    }
}
