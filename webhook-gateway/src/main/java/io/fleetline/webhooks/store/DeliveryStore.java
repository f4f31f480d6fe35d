package io.fleetline.webhooks.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.store.GroupCommit;
import io.fleetline.webhooks.domain.Delivery;
import io.fleetline.webhooks.domain.Endpoint;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Events, deliveries and attempts in the {@code webhooks} schema, and the worker's claims. */
@ApplicationScoped
public class DeliveryStore {

    private static final String OPEN = "('pending', 'retrying', 'delivering')";
    private static final String DUE = "((d.state IN ('pending', 'retrying') AND d.next_attempt_at <= now())"
            + " OR (d.state = 'delivering' AND d.lease_until < now()))";

    /**
     * The statement of a batch of outcomes. An endpoint with several outcomes in the batch takes
     * the failure clock of its latest one and the latest pause; a success on a healthy endpoint
     * writes nothing there, so a hot endpoint row is not locked.
     */
    private static final String RECORD = "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[],"
            + "   $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::text[], $10::bool[],"
            + "   $11::timestamptz[]) WITH ORDINALITY AS u (seq, attempt, state, next_attempt_at, attempted_at,"
            + "   duration_ms, response_status, error, response_body, success, paused_until, ord)),"
            + " d AS (UPDATE webhooks.deliveries x SET state = u.state,"
            + "     next_attempt_at = coalesce(u.next_attempt_at, x.next_attempt_at), lease_until = NULL,"
            + "     completed_at = CASE WHEN u.state IN ('succeeded', 'failed', 'dead') THEN now() END"
            + "   FROM u WHERE x.seq = u.seq AND x.state = 'delivering' AND x.attempts = u.attempt"
            + "   RETURNING x.seq, x.endpoint_id, u.ord),"
            + " a AS (INSERT INTO webhooks.attempts (delivery_seq, number, attempted_at, duration_ms,"
            + "     response_status, error, response_body, next_attempt_at)"
            + "   SELECT u.seq, u.attempt, u.attempted_at, u.duration_ms, u.response_status, u.error, u.response_body,"
            + "     u.next_attempt_at FROM u JOIN d ON d.ord = u.ord ORDER BY u.ord),"
            + " latest AS (SELECT DISTINCT ON (d.endpoint_id) d.endpoint_id, u.success, u.attempted_at,"
            + "     max(u.paused_until) OVER (PARTITION BY d.endpoint_id) AS paused_until"
            + "   FROM d JOIN u ON u.ord = d.ord ORDER BY d.endpoint_id, u.attempted_at DESC, u.ord DESC),"
            + " e AS (UPDATE webhooks.endpoints e SET"
            + "     failing_since = CASE WHEN l.success THEN NULL ELSE coalesce(e.failing_since, l.attempted_at) END,"
            + "     paused_until = coalesce(l.paused_until, e.paused_until)"
            + "   FROM latest l WHERE e.id = l.endpoint_id"
            + "   AND (NOT l.success OR e.failing_since IS NOT NULL OR l.paused_until IS NOT NULL)"
            + "   RETURNING e.id, e.failing_since)"
            + " SELECT d.ord, e.failing_since FROM d JOIN e ON e.id = d.endpoint_id";

    /** Events in arrival order (ord) with their matching endpoints; deliveries take their seq in that order. */
    private static final String FAN_OUT = "WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[],"
            + "   $4::int2[], $5::bytea[]) WITH ORDINALITY AS u (event_id, event_type, device_id, severity, payload, ord)),"
            + " m AS (SELECT u.ord, e.id AS endpoint_id FROM u JOIN webhooks.endpoints e ON e.enabled"
            + "   AND (e.events IS NULL OR u.event_type = ANY (e.events)) AND u.severity >= e.min_severity"
            + "   AND (e.device_ids IS NULL OR u.device_id = ANY (e.device_ids))),"
            + " ev AS (INSERT INTO webhooks.events (event_id, event_type, device_id, severity, payload)"
            + "   SELECT DISTINCT ON (u.event_id) u.event_id, u.event_type, u.device_id, u.severity, u.payload FROM u"
            + "   WHERE EXISTS (SELECT 1 FROM m WHERE m.ord = u.ord) ORDER BY u.event_id, u.ord"
            + "   ON CONFLICT (event_id) DO NOTHING RETURNING event_id),"
            + " dl AS (INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key)"
            + "   SELECT m.endpoint_id, u.event_id, coalesce(u.device_id, '') FROM u JOIN m ON m.ord = u.ord"
            + "   JOIN ev ON ev.event_id = u.event_id ORDER BY u.ord, m.endpoint_id"
            + "   ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING event_id)"
            + " SELECT u.ord, (SELECT count(*) FROM dl WHERE dl.event_id = u.event_id)::int AS created FROM u";

    private final Pool pool;
    private final GroupCommit<Arrival, Integer> events;
    private final GroupCommit<Outcome, Instant> records;

    DeliveryStore(Pool pool, Vertx vertx, MeterRegistry meters) {
        this.pool = pool;
        // One writer: two batches committing side by side could give a device's later event the earlier seq.
        this.events = new GroupCommit<>(vertx, "events", 500, Duration.ZERO, 1, this::fanOutAll,
                DistributionSummary.builder("fleetline_webhook_fanout_batch_size")
                        .description("Platform events stored (with their deliveries) per commit").register(meters));
        this.records = new GroupCommit<>(vertx, "delivery attempts", 500, Duration.ZERO, 2, this::recordAll,
                DistributionSummary.builder("fleetline_webhook_record_batch_size")
                        .description("Delivery attempts recorded per commit").register(meters));
    }

    /**
     * Stores {@code payload} and one pending delivery per matching enabled endpoint; an event id
     * seen before creates nothing. Events arriving together are stored in one statement, one
     * batch at a time, so deliveries keep the order the events arrived in. Returns the
     * deliveries created.
     */
    public Uni<Integer> fanOut(String eventId, String type, String deviceId, int severity, byte[] payload) {
        return events.submit(new Arrival(eventId, type, deviceId, (short) severity, Buffer.buffer(payload)));
    }

    private record Arrival(String eventId, String type, String deviceId, short severity, Buffer payload) {
    }

    private Uni<List<Integer>> fanOutAll(List<Arrival> arrivals) {
        int n = arrivals.size();
        return pool.preparedQuery(FAN_OUT)
                .execute(Tuple.of(arrivals.stream().map(Arrival::eventId).toArray(String[]::new),
                        arrivals.stream().map(Arrival::type).toArray(String[]::new),
                        arrivals.stream().map(Arrival::deviceId).toArray(String[]::new),
                        arrivals.stream().map(Arrival::severity).toArray(Short[]::new),
                        arrivals.stream().map(Arrival::payload).toArray(Buffer[]::new)))
                .map(rows -> {
                    Integer[] created = new Integer[n];
                    for (Row row : rows) {
                        created[(int) (row.getLong("ord") - 1)] = row.getInteger("created");
                    }
                    return Arrays.asList(created);
                });
    }

    /** Stores a ping event and its delivery to one endpoint; returns the delivery id. */
    public Uni<String> ping(String endpointId, String eventId, byte[] payload) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("INSERT INTO webhooks.events (event_id, event_type, device_id, severity, payload)"
                        + " VALUES ($1, 'ping', NULL, 0, $2)")
                .execute(Tuple.of(eventId, Buffer.buffer(payload)))
                .chain(() -> tx.preparedQuery("INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key)"
                        + " VALUES ($1, $2, '') RETURNING id")
                        .execute(Tuple.of(endpointId, eventId)))
                .map(rows -> rows.iterator().next().getString("id")));
    }

    /**
     * Claims up to {@code limit} due deliveries for this replica: rows locked by another replica
     * are skipped, only the head (oldest open delivery) of each (endpoint, device) queue is
     * eligible (event order), at most {@code free} per endpoint ({@code busy} holds the endpoints
     * this replica already sends to and their free slots), none for disabled or paused endpoints.
     * Each claimed row becomes {@code delivering} with its attempt count raised and a lease.
     * <p>
     * The heads are found by a loose index scan of {@code deliveries_open_per_key}, one probe per
     * queue, so a claim costs the number of queues, not the size of the backlog behind them.
     */
    public Uni<List<Claimed>> claim(int limit, Duration lease, Map<String, Integer> busy, int free) {
        String[] busyIds = busy.keySet().toArray(String[]::new);
        Integer[] busyFree = Arrays.stream(busyIds).map(busy::get).toArray(Integer[]::new);
        return pool.preparedQuery("WITH RECURSIVE heads AS ("
                + "   (SELECT d.endpoint_id, d.order_key, d.seq FROM webhooks.deliveries d WHERE d.state IN " + OPEN
                + "    ORDER BY d.endpoint_id, d.order_key, d.seq LIMIT 1)"
                + "   UNION ALL"
                + "   SELECT n.endpoint_id, n.order_key, n.seq FROM heads h CROSS JOIN LATERAL ("
                + "     SELECT d.endpoint_id, d.order_key, d.seq FROM webhooks.deliveries d WHERE d.state IN " + OPEN
                + "     AND (d.endpoint_id, d.order_key) > (h.endpoint_id, h.order_key)"
                + "     ORDER BY d.endpoint_id, d.order_key, d.seq LIMIT 1) n),"
                + " slots AS (SELECT * FROM unnest($3::text[], $4::int[]) AS s (endpoint_id, free)),"
                + " ranked AS (SELECT d.seq, coalesce(s.free, $5) AS free,"
                + "     row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.seq) AS rn"
                + "   FROM heads h JOIN webhooks.deliveries d ON d.seq = h.seq"
                + "   JOIN webhooks.endpoints e ON e.id = d.endpoint_id"
                + "   LEFT JOIN slots s ON s.endpoint_id = d.endpoint_id"
                + "   WHERE e.enabled AND (e.paused_until IS NULL OR e.paused_until <= now()) AND " + DUE + "),"
                + " picked AS (SELECT d.seq FROM webhooks.deliveries d JOIN ranked r ON r.seq = d.seq"
                + "   WHERE r.rn <= r.free AND " + DUE
                + "   ORDER BY d.seq LIMIT $1 FOR UPDATE OF d SKIP LOCKED)"
                + " UPDATE webhooks.deliveries d SET state = 'delivering', attempts = d.attempts + 1,"
                + "   lease_until = now() + $2::bigint * interval '1 millisecond'"
                + " FROM picked p, webhooks.endpoints e, webhooks.events ev"
                + " WHERE d.seq = p.seq AND e.id = d.endpoint_id AND ev.event_id = d.event_id"
                + " RETURNING d.seq, d.id, d.attempts, d.endpoint_id, d.event_id, d.cycle_started_at, d.created_at,"
                + "   ev.event_type, ev.payload, e.url, e.format, e.secret,"
                + "   CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret")
                .execute(Tuple.of(limit, lease.toMillis(), busyIds, busyFree, free))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    for (Row row : rows) {
                        claimed.add(new Claimed(row.getLong("seq"), row.getString("id"), row.getInteger("attempts"),
                                row.getString("endpoint_id"), row.getString("event_id"), row.getString("event_type"),
                                row.getBuffer("payload").getBytes(), row.getString("url"),
                                Endpoint.Format.fromWire(row.getString("format")), row.getString("secret"),
                                row.getString("previous_secret"),
                                row.getOffsetDateTime("cycle_started_at").toInstant(),
                                row.getOffsetDateTime("created_at").toInstant()));
                    }
                    return claimed;
                });
    }

    /**
     * Records one attempt and the delivery's new state, provided this replica still holds the
     * claim, and updates the endpoint's failure clock and pause. Attempts finishing together are
     * recorded in one statement (one commit for many deliveries). Returns when the endpoint has
     * been failing since (null when healthy or unchanged).
     */
    public Uni<Instant> record(Outcome outcome) {
        return records.submit(outcome);
    }

    private Uni<List<Instant>> recordAll(List<Outcome> outcomes) {
        int n = outcomes.size();
        Long[] seqs = new Long[n];
        Integer[] attempts = new Integer[n];
        String[] states = new String[n];
        OffsetDateTime[] nextAttempts = new OffsetDateTime[n];
        OffsetDateTime[] attempted = new OffsetDateTime[n];
        Integer[] durations = new Integer[n];
        Integer[] statuses = new Integer[n];
        String[] errors = new String[n];
        String[] bodies = new String[n];
        Boolean[] successes = new Boolean[n];
        OffsetDateTime[] pauses = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i);
            seqs[i] = o.seq();
            attempts[i] = o.attempt();
            states[i] = o.state();
            nextAttempts[i] = utc(o.nextAttemptAt());
            attempted[i] = utc(o.attemptedAt());
            durations[i] = o.durationMs();
            statuses[i] = o.responseStatus();
            errors[i] = o.error();
            bodies[i] = o.responseBody();
            successes[i] = o.success();
            pauses[i] = utc(o.pausedUntil());
        }
        return pool.preparedQuery(RECORD)
                .execute(Tuple.tuple(Arrays.asList(seqs, attempts, states, nextAttempts, attempted, durations, statuses,
                        errors, bodies, successes, pauses)))
                .map(rows -> {
                    Instant[] failingSince = new Instant[n];
                    for (Row row : rows) {
                        OffsetDateTime since = row.getOffsetDateTime("failing_since");
                        failingSince[(int) (row.getLong("ord") - 1)] = since == null ? null : since.toInstant();
                    }
                    return Arrays.asList(failingSince);
                });
    }

    /** One page of an endpoint's deliveries, newest first, optionally of one state. */
    public Uni<Envelope> list(String endpointId, String state, Paging paging) {
        String where = " WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.state = $2)";
        Tuple filter = Tuple.of(endpointId, state);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM webhooks.deliveries d" + where)
                .execute(filter).map(rows -> rows.iterator().next().getLong(0));
        Uni<List<Delivery>> page = pool.preparedQuery("SELECT d.*, ev.event_type, ev.device_id FROM webhooks.deliveries d"
                + " JOIN webhooks.events ev ON ev.event_id = d.event_id" + where
                + " ORDER BY d.seq DESC OFFSET $3 LIMIT $4")
                .execute(Tuple.of(endpointId, state, paging.offset(), paging.limit()))
                .map(rows -> {
                    List<Delivery> list = new ArrayList<>();
                    rows.forEach(row -> list.add(delivery(row, null, null)));
                    return list;
                });
        return Uni.combine().all().unis(total, page)
                .with((count, items) -> paging.page(items, count));
    }

    /** One delivery with its event and every attempt, or null. */
    public Uni<Delivery> find(String endpointId, String deliveryId) {
        return pool.preparedQuery("SELECT d.*, ev.event_type, ev.device_id, ev.payload FROM webhooks.deliveries d"
                + " JOIN webhooks.events ev ON ev.event_id = d.event_id WHERE d.endpoint_id = $1 AND d.id = $2")
                .execute(Tuple.of(endpointId, deliveryId))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    return pool.preparedQuery("SELECT * FROM webhooks.attempts WHERE delivery_seq = $1 ORDER BY number, id")
                            .execute(Tuple.of(row.getLong("seq")))
                            .map(attempts -> {
                                List<Delivery.Attempt> list = new ArrayList<>();
                                for (Row a : attempts) {
                                    list.add(new Delivery.Attempt(a.getInteger("number"),
                                            a.getOffsetDateTime("attempted_at").toInstant(), a.getInteger("duration_ms"),
                                            a.getInteger("response_status"), a.getString("error"),
                                            a.getString("response_body"), instant(a.getOffsetDateTime("next_attempt_at"))));
                                }
                                return delivery(row, row.getBuffer("payload").toString(), list);
                            });
                });
    }

    /**
     * Queues a finished delivery again, due now with a fresh retry cycle. Returns its state before
     * ("missing" when absent); one being sent right now is left alone.
     */
    public Uni<String> redeliver(String endpointId, String deliveryId) {
        return pool.preparedQuery("WITH old AS (SELECT seq, state FROM webhooks.deliveries"
                + "   WHERE endpoint_id = $1 AND id = $2 FOR UPDATE),"
                + " upd AS (UPDATE webhooks.deliveries d SET state = 'pending', next_attempt_at = now(),"
                + "   cycle_started_at = now(), completed_at = NULL, lease_until = NULL"
                + "   FROM old WHERE d.seq = old.seq AND old.state <> 'delivering' RETURNING d.seq)"
                + " SELECT old.state FROM old")
                .execute(Tuple.of(endpointId, deliveryId))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("state") : "missing");
    }

    /**
     * Forgets finished deliveries older than {@code retention} with their attempts, events no
     * delivery refers to any more, and inbound event ids older than {@code dedupWindow}.
     */
    public Uni<Void> prune(Duration retention, Duration dedupWindow) {
        Tuple age = Tuple.of(retention.toSeconds());
        return pool.preparedQuery("DELETE FROM webhooks.deliveries WHERE state IN ('succeeded', 'failed', 'dead')"
                + " AND completed_at < now() - $1::bigint * interval '1 second'").execute(age)
                .chain(() -> pool.preparedQuery("DELETE FROM webhooks.events ev"
                        + " WHERE received_at < now() - $1::bigint * interval '1 second'"
                        + " AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries d WHERE d.event_id = ev.event_id)")
                        .execute(age))
                .chain(() -> pool.preparedQuery("DELETE FROM webhooks.inbound_events"
                        + " WHERE received_at < now() - $1::bigint * interval '1 second'")
                        .execute(Tuple.of(dedupWindow.toSeconds())))
                .replaceWithVoid();
    }

    private static Delivery delivery(Row row, String event, List<Delivery.Attempt> attempts) {
        return new Delivery(row.getString("id"), row.getString("endpoint_id"), row.getString("event_id"),
                row.getString("event_type"), row.getString("device_id"), row.getString("state"),
                row.getInteger("attempts"),
                List.of("pending", "retrying").contains(row.getString("state"))
                        ? instant(row.getOffsetDateTime("next_attempt_at")) : null,
                instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("completed_at")),
                event, attempts);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A delivery this replica claimed, with what it needs to send it. */
    public record Claimed(long seq, String id, int attempt, String endpointId, String eventId, String eventType,
            byte[] payload, String url, Endpoint.Format format, String secret, String previousSecret,
            Instant cycleStartedAt, Instant createdAt) {
    }

    /** The result of one attempt and the delivery's next state. */
    public record Outcome(long seq, int attempt, String state, Instant nextAttemptAt, Instant attemptedAt,
            int durationMs, Integer responseStatus, String error, String responseBody, boolean success,
            Instant pausedUntil) {
    }
}
