package io.fleetline.ingest.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.ingest.config.IngestConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Offline transitions, decided in PostgreSQL with conditional updates so that several bridge
 * replicas emit exactly one {@code device_offline} per transition. (Online transitions are made
 * by the shared readings writer.)
 */
@ApplicationScoped
public class PresenceStore {

    /** The device's expected interval in seconds: {@code config.sample_interval_s} when a positive number. */
    private static final String INTERVAL = "(CASE WHEN jsonb_typeof(d.config->'sample_interval_s') = 'number'"
            + " AND (d.config->>'sample_interval_s')::numeric > 0"
            + " THEN (d.config->>'sample_interval_s')::numeric ELSE $1::int END)";

    /**
     * A status {@code offline} (the Last Will, or a clean goodbye) applies unless the device was
     * heard from after the will's time: a stale will arriving after a reconnect is ignored.
     */
    private static final String WILL = "UPDATE registry.devices d SET connectivity = 'offline'"
            + " WHERE d.device_id = $2 AND d.connectivity <> 'offline' AND (d.last_seen IS NULL OR d.last_seen <= $3)"
            + " RETURNING d.device_id, d.name, d.last_seen, " + INTERVAL + " AS interval_s";

    /**
     * Silent devices go offline. Rows a writer holds are skipped (that device is being heard
     * from); the lock re-checks the condition on the newest row, so replicas never both flip one.
     */
    private static final String SILENT = "WITH silent AS (SELECT d.device_id, " + INTERVAL + " AS interval_s"
            + " FROM registry.devices d WHERE d.connectivity = 'online'"
            + " AND d.last_seen < now() - make_interval(secs => ($2::int * " + INTERVAL + ")::double precision)"
            + " ORDER BY d.device_id FOR NO KEY UPDATE SKIP LOCKED)"
            + " UPDATE registry.devices d SET connectivity = 'offline' FROM silent WHERE d.device_id = silent.device_id"
            + " RETURNING d.device_id, d.name, d.last_seen, silent.interval_s";

    private final Pool pool;
    private final Outbox outbox;
    private final IngestConfig config;

    PresenceStore(Pool pool, Outbox outbox, IngestConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.config = config;
    }

    /** Applies an {@code offline} status of {@code deviceId} sent at {@code at}; true when it changed the device. */
    public Uni<Boolean> offline(String deviceId, Instant at) {
        return pool.withTransaction(tx -> tx.preparedQuery(WILL)
                .execute(Tuple.of(config.defaultSampleIntervalS(), deviceId, at.atOffset(ZoneOffset.UTC)))
                .chain(rows -> {
                    List<PlatformEvent> events = events(rows, "status");
                    return outbox.appendAll(tx, events).replaceWith(!events.isEmpty());
                }))
                .invoke(outbox::relayNow);
    }

    /** Marks every device silent for its missed intervals offline; answers how many. */
    public Uni<Integer> sweepSilent() {
        return pool.withTransaction(tx -> tx.preparedQuery(SILENT)
                .execute(Tuple.of(config.defaultSampleIntervalS(), config.missedIntervals()))
                .chain(rows -> {
                    List<PlatformEvent> events = events(rows, "timeout");
                    return outbox.appendAll(tx, events).replaceWith(events.size());
                }))
                .invoke(outbox::relayNow);
    }

    /** How many devices are online now. */
    public Uni<Long> countOnline() {
        return pool.preparedQuery("SELECT count(*) FROM registry.devices WHERE connectivity = 'online'")
                .execute().map(rows -> rows.iterator().next().getLong(0));
    }

    private List<PlatformEvent> events(RowSet<Row> rows, String cause) {
        List<PlatformEvent> events = new ArrayList<>();
        for (Row row : rows) {
            String id = row.getString("device_id");
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("last_seen", row.getOffsetDateTime("last_seen") == null ? null
                    : row.getOffsetDateTime("last_seen").toInstant().toString());
            double interval = row.getNumeric("interval_s").doubleValue();
            metadata.put("expected_interval_s", interval % 1 == 0 ? (Object) (long) interval : interval);
            metadata.put("cause", cause);
            String message = cause.equals("timeout")
                    ? "Device '" + id + "' is offline: nothing heard for " + config.missedIntervals()
                            + " expected intervals of " + metadata.get("expected_interval_s") + " s."
                    : "Device '" + id + "' is offline: it said so (status offline or Last Will).";
            events.add(PlatformEvent.of(EventType.DEVICE_OFFLINE, id, Severity.WARNING, message)
                    .withDeviceName(row.getString("name"))
                    .withMetadata(metadata));
        }
        return events;
    }
}
