package io.fleetline.commons.testing;

import java.time.Duration;
import java.util.UUID;

import io.fleetline.commons.auth.ApiKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Test devices written straight into {@code registry.devices} (the registry module migrates the
 * table in {@code fleetline_test}), each with a unique id so tests never share state.
 */
public final class TestDevices {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TestDevices() {
    }

    /** A fresh unique device id starting with {@code prefix}. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** Registers {@code deviceId} with the given desired {@code config} (such as {@code sample_interval_s}). */
    public static String register(Pool pool, String deviceId, JsonObject config) {
        pool.preparedQuery("INSERT INTO registry.devices (device_id, name, config) VALUES ($1, $2, $3)")
                .execute(Tuple.of(deviceId, "Test " + deviceId, config))
                .await().atMost(TIMEOUT);
        return deviceId;
    }

    /** Registers a new unique device with an empty config and returns its id. */
    public static String register(Pool pool, String prefix) {
        return register(pool, uniqueId(prefix), new JsonObject());
    }

    /**
     * Gives a registered device the broker account the registry would ({@code registry.device_credentials},
     * read by the broker's device-account plugin) and returns its password.
     */
    public static String mqttPassword(Pool pool, String deviceId) {
        String password = UUID.randomUUID().toString();
        query(pool, "INSERT INTO registry.device_credentials (device_id, password_sha256) VALUES ($1, $2)",
                deviceId, ApiKeys.hash(password));
        return password;
    }

    /** Runs {@code sql} with {@code args} and waits for its rows (for assertions on stored state). */
    public static RowSet<Row> query(Pool pool, String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(TIMEOUT);
    }

    /** The single long value of {@code sql} (a count, an id). */
    public static long count(Pool pool, String sql, Object... args) {
        return query(pool, sql, args).iterator().next().getLong(0);
    }
}
