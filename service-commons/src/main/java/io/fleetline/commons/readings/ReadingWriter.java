package io.fleetline.commons.readings;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.commons.rules.RuleEvaluator;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The one writer path of readings, shared by the HTTP ingest (telemetry-service) and the MQTT
 * ingest (ingest-bridge). A batch is one transaction of a fixed number of statements whatever
 * its size: presence ({@code last_seen}, {@code online} transitions), readings with their
 * idempotency keys and the latest value, rule evaluation, the metric catalog and the outbox events.
 */
@ApplicationScoped
public class ReadingWriter {

    /**
     * Moves {@code last_seen} forward and sets the batch's known devices online, locking and
     * writing only the rows that change. A device that is not online is locked, waiting for any
     * other writer (in id order, so writers never deadlock), and its {@code was} read under the
     * lock, so each offline/unknown -> online transition is seen by exactly one transaction. An
     * online device is refreshed once its {@code last_seen} is a second old, and skipped while
     * another writer holds it (that writer is refreshing it): a device sending ten readings a
     * second is written once a second, and concurrent batches do not queue on its row.
     */
    private static final String PRESENCE = "WITH known AS ("
            + " SELECT device_id, seq, name, connectivity, last_seen FROM registry.devices WHERE device_id = ANY($1)),"
            + " arriving AS (SELECT d.device_id, d.connectivity FROM registry.devices d"
            + " WHERE d.device_id IN (SELECT device_id FROM known WHERE connectivity IS DISTINCT FROM 'online')"
            + " ORDER BY d.device_id FOR NO KEY UPDATE),"
            + " refreshed AS (SELECT d.device_id, d.connectivity FROM registry.devices d"
            + " WHERE d.device_id IN (SELECT device_id FROM known WHERE connectivity = 'online'"
            + " AND (last_seen IS NULL OR last_seen < now() - interval '1 second'))"
            + " ORDER BY d.device_id FOR NO KEY UPDATE SKIP LOCKED),"
            + " locked AS (SELECT * FROM arriving UNION ALL SELECT * FROM refreshed),"
            + " touched AS (UPDATE registry.devices d SET last_seen = greatest(d.last_seen, now()), connectivity = 'online'"
            + " FROM locked WHERE d.device_id = locked.device_id)"
            + " SELECT k.device_id, k.seq, k.name, CASE WHEN l.device_id IS NULL THEN 'online' ELSE l.connectivity END AS was,"
            + " now() AS seen FROM known k LEFT JOIN locked l ON l.device_id = k.device_id";

    /**
     * Inserts the readings whose idempotency key is new (or which have none), and moves
     * {@code latest} only forward in device time. Answers, per input row in order, the id and ts
     * of the reading stored for it and whether it was new.
     */
    private static final String STORE = "WITH input AS MATERIALIZED ("
            + " SELECT i.ord, i.device_id, coalesce(i.ts, now()) AS ts, i.msg_id, i.key, i.payload::jsonb AS payload,"
            + " nextval('telemetry.readings_id_seq') AS id"
            + " FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])"
            + " WITH ORDINALITY AS i(device_id, ts, msg_id, key, payload, ord)),"
            + " keyed AS (INSERT INTO telemetry.reading_keys (device_id, key, reading_id, ts)"
            + " SELECT device_id, key, id, ts FROM input WHERE key IS NOT NULL ORDER BY device_id, key"
            + " ON CONFLICT (device_id, key) DO NOTHING RETURNING device_id, key, reading_id, ts),"
            + " fresh AS (SELECT * FROM input WHERE key IS NULL OR id IN (SELECT reading_id FROM keyed)),"
            + " inserted AS (INSERT INTO telemetry.readings (id, device_id, ts, msg_id, payload)"
            + " SELECT id, device_id, ts, msg_id, payload FROM fresh),"
            + " newest AS (INSERT INTO telemetry.latest AS l (device_id, reading_id, ts, received_at, payload)"
            + " SELECT DISTINCT ON (device_id) device_id, id, ts, now(), payload FROM fresh"
            + " ORDER BY device_id, ts DESC, id DESC"
            + " ON CONFLICT (device_id) DO UPDATE SET reading_id = EXCLUDED.reading_id, ts = EXCLUDED.ts,"
            + " received_at = EXCLUDED.received_at, payload = EXCLUDED.payload WHERE l.ts < EXCLUDED.ts)"
            // A duplicate of an earlier batch is looked up by its key; coalesce evaluates the
            // lookup only when needed, and as a subquery it is always one index probe, where a
            // join could be planned as a scan of the whole key table.
            + " SELECT input.ord, f.id IS NOT NULL AS fresh,"
            + " coalesce(f.id, k.reading_id, (SELECT rk.reading_id FROM telemetry.reading_keys rk"
            + " WHERE rk.device_id = input.device_id AND rk.key = input.key)) AS id,"
            + " coalesce(f.ts, k.ts, (SELECT rk.ts FROM telemetry.reading_keys rk"
            + " WHERE rk.device_id = input.device_id AND rk.key = input.key)) AS ts, now() AS received_at"
            + " FROM input"
            + " LEFT JOIN fresh f ON f.id = input.id"
            + " LEFT JOIN keyed k ON f.id IS NULL AND k.device_id = input.device_id AND k.key = input.key"
            + " ORDER BY input.ord";

    private static final String CONCURRENT_DUPLICATES = "SELECT u.ord, k.reading_id, k.ts"
            + " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(device_id, key, ord)"
            + " JOIN telemetry.reading_keys k ON k.device_id = u.device_id AND k.key = u.key";

    private final Pool pool;
    private final Outbox outbox;
    private final RuleEvaluator rules;
    private final MetricCatalog catalog;

    ReadingWriter(Pool pool, Outbox outbox, RuleEvaluator rules, MetricCatalog catalog) {
        this.pool = pool;
        this.outbox = outbox;
        this.rules = rules;
        this.catalog = catalog;
    }

    /** What happened to one reading of a batch. */
    public enum Status {
        /** Stored now. */
        STORED,
        /** Its idempotency key was already stored; {@code id} and {@code ts} are the stored reading's. */
        DUPLICATE,
        /** Its device is not registered; nothing stored. */
        UNKNOWN_DEVICE
    }

    /** The outcome of one reading; {@code id} and {@code ts} are absent for an unknown device. */
    public record Outcome(Status status, Long id, Instant ts) {
    }

    /** The committed batch: one outcome per input reading, in input order, and the readings stored now. */
    public record Result(List<Outcome> outcomes, List<StoredReading> stored) {
    }

    /** Stores {@code readings} in one transaction; the {@code Uni} completes after the commit. */
    public Uni<Result> write(List<IncomingReading> readings) {
        if (readings.isEmpty()) {
            return Uni.createFrom().item(new Result(List.of(), List.of()));
        }
        Set<String> deviceIds = new LinkedHashSet<>();
        readings.forEach(reading -> deviceIds.add(reading.deviceId()));
        return pool.withTransaction(tx -> presence(tx, deviceIds).chain(devices -> {
            List<IncomingReading> known = readings.stream().filter(r -> devices.known.containsKey(r.deviceId())).toList();
            return store(tx, known).chain(stored -> rules.evaluate(tx, stored.readings()).chain(alerts -> {
                List<PlatformEvent> events = new ArrayList<>(devices.online);
                events.addAll(alerts);
                return catalog.record(tx, stored.readings(), devices.known)
                        .call(() -> outbox.appendAll(tx, events))
                        .map(cataloged -> new Written(result(readings, devices.known.keySet(), stored), !events.isEmpty(),
                                cataloged));
            }));
        })).map(written -> {
            catalog.remember(written.cataloged());
            // Relaying costs a transaction: only a batch that wrote events asks for one now.
            if (written.events()) {
                outbox.relayNow();
            }
            return written.result();
        });
    }

    /**
     * Marks devices as heard from now (a status {@code online} message): {@code last_seen} and
     * the online transition with its event, in one transaction. Answers the ids that are registered.
     */
    public Uni<Set<String>> touch(Set<String> deviceIds) {
        return pool.withTransaction(tx -> presence(tx, deviceIds).call(devices -> outbox.appendAll(tx, devices.online)))
                .map(devices -> {
                    if (!devices.online.isEmpty()) {
                        outbox.relayNow();
                    }
                    return devices.known.keySet();
                });
    }

    private record Written(Result result, boolean events, List<MetricCatalog.Entry> cataloged) {
    }

    /** {@code known}: each registered device of the batch and its registration ({@code seq}). */
    private record Presence(Map<String, Long> known, List<PlatformEvent> online) {
    }

    private record Stored(List<Outcome> outcomes, List<StoredReading> readings) {
    }

    private Uni<Presence> presence(SqlConnection tx, Set<String> deviceIds) {
        return tx.preparedQuery(PRESENCE).execute(Tuple.of(deviceIds.toArray(String[]::new))).map(rows -> {
            Map<String, Long> known = new LinkedHashMap<>();
            List<PlatformEvent> online = new ArrayList<>();
            for (Row row : rows) {
                String id = row.getString("device_id");
                known.put(id, row.getLong("seq"));
                String was = row.getString("was");
                if (!"online".equals(was)) {
                    Map<String, Object> metadata = new HashMap<>();
                    metadata.put("last_seen", row.getOffsetDateTime("seen").toInstant().toString());
                    metadata.put("previous", was == null ? "unknown" : was);
                    online.add(PlatformEvent.of(EventType.DEVICE_ONLINE, id, Severity.INFO,
                            "Device '" + id + "' is online.")
                            .withDeviceName(row.getString("name"))
                            .withMetadata(metadata));
                }
            }
            return new Presence(known, online);
        });
    }

    private Uni<Stored> store(SqlConnection tx, List<IncomingReading> readings) {
        if (readings.isEmpty()) {
            return Uni.createFrom().item(new Stored(List.of(), List.of()));
        }
        int n = readings.size();
        String[] devices = new String[n];
        OffsetDateTime[] ts = new OffsetDateTime[n];
        String[] msgIds = new String[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            IncomingReading reading = readings.get(i);
            devices[i] = reading.deviceId();
            ts[i] = reading.ts() == null ? null : reading.ts().atOffset(ZoneOffset.UTC);
            msgIds[i] = reading.msgId();
            keys[i] = reading.idempotencyKey();
            payloads[i] = reading.payloadJson();
        }
        return tx.preparedQuery(STORE).execute(Tuple.of(devices, ts, msgIds, keys, payloads)).chain(rows -> {
            Outcome[] outcomes = new Outcome[n];
            List<StoredReading> stored = new ArrayList<>();
            List<Integer> unresolved = new ArrayList<>();
            int i = 0;
            // Columns by position (fresh, id, ts, received_at): a lookup by name per row and column
            // showed in the bridge's profile.
            for (Row row : rows) {
                IncomingReading reading = readings.get(i);
                Long id = row.getLong(2);
                if (row.getBoolean(1)) {
                    Instant at = row.getOffsetDateTime(3).toInstant();
                    outcomes[i] = new Outcome(Status.STORED, id, at);
                    stored.add(new StoredReading(id, reading.deviceId(), at, row.getOffsetDateTime(4).toInstant(),
                            reading.payload()));
                } else if (id != null) {
                    outcomes[i] = new Outcome(Status.DUPLICATE, id, row.getOffsetDateTime(3).toInstant());
                } else {
                    unresolved.add(i);
                }
                i++;
            }
            return resolveConcurrentDuplicates(tx, readings, unresolved, outcomes)
                    .map(ignored -> new Stored(List.of(outcomes), stored));
        });
    }

    /**
     * A key another transaction stored while this statement waited on it is a duplicate whose
     * reading the statement's snapshot cannot see; the next statement can, the other transaction
     * having committed (had it rolled back, this one would have stored the reading).
     */
    private Uni<Void> resolveConcurrentDuplicates(SqlConnection tx, List<IncomingReading> readings, List<Integer> unresolved,
            Outcome[] outcomes) {
        if (unresolved.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] devices = unresolved.stream().map(i -> readings.get(i).deviceId()).toArray(String[]::new);
        String[] keys = unresolved.stream().map(i -> readings.get(i).idempotencyKey()).toArray(String[]::new);
        return tx.preparedQuery(CONCURRENT_DUPLICATES).execute(Tuple.of(devices, keys)).invoke(rows -> {
            for (Row row : rows) {
                int index = unresolved.get((int) (row.getLong("ord") - 1));
                outcomes[index] = new Outcome(Status.DUPLICATE, row.getLong("reading_id"),
                        row.getOffsetDateTime("ts").toInstant());
            }
            for (int index : unresolved) {
                if (outcomes[index] == null) {
                    throw new IllegalStateException("The stored reading of a duplicate key was not found");
                }
            }
        }).replaceWithVoid();
    }

    private static Result result(List<IncomingReading> readings, Set<String> known, Stored stored) {
        List<Outcome> outcomes = new ArrayList<>(readings.size());
        int next = 0;
        for (IncomingReading reading : readings) {
            outcomes.add(known.contains(reading.deviceId()) ? stored.outcomes().get(next++)
                    : new Outcome(Status.UNKNOWN_DEVICE, null, null));
        }
        return new Result(outcomes, stored.readings());
    }
}
