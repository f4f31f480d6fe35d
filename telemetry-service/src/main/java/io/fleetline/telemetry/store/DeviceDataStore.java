package io.fleetline.telemetry.store;

import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Forgets a deleted device: everything telemetry recorded about it up to the deletion. */
@ApplicationScoped
public class DeviceDataStore {

    private final Pool pool;

    DeviceDataStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Deletes the readings, latest value, idempotency keys, metric catalog, rule state and device-scoped rules of
     * {@code deviceId} recorded at or before {@code until}, in one transaction; data of a device
     * re-registered after that instant survives. Answers the number of readings deleted.
     */
    public Uni<Integer> forget(String deviceId, Instant until) {
        Tuple args = Tuple.of(deviceId, until.atOffset(ZoneOffset.UTC));
        return pool.withTransaction(tx -> tx
                .preparedQuery("DELETE FROM telemetry.readings WHERE device_id = $1 AND received_at <= $2")
                .execute(args)
                .call(() -> tx.preparedQuery("DELETE FROM telemetry.latest WHERE device_id = $1 AND received_at <= $2")
                        .execute(args))
                .call(() -> tx.preparedQuery("DELETE FROM telemetry.reading_keys WHERE device_id = $1 AND created_at <= $2")
                        .execute(args))
                .call(() -> tx.preparedQuery("DELETE FROM telemetry.metric_days WHERE device_id = $1 AND recorded_at <= $2")
                        .execute(args))
                .call(() -> tx.preparedQuery("DELETE FROM telemetry.rule_state WHERE device_id = $1 AND updated_at <= $2")
                        .execute(args))
                .call(() -> tx.preparedQuery("DELETE FROM telemetry.rules WHERE device_id = $1 AND created_at <= $2")
                        .execute(args))
                .map(deleted -> deleted.rowCount()));
    }
}
