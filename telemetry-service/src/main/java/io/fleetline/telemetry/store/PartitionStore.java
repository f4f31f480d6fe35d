package io.fleetline.telemetry.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Daily partitions of {@code telemetry.readings}, named {@code readings_pYYYYMMDD} and covering
 * one UTC day. Every change runs under one advisory lock, so replicas never race on DDL.
 */
@ApplicationScoped
public class PartitionStore {

    /** The advisory lock that serializes partition DDL across replicas ("flt-part"). */
    private static final long LOCK = 0x666c742d70617274L;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'readings_p'yyyyMMdd");

    private final Pool pool;

    PartitionStore(Pool pool) {
        this.pool = pool;
    }

    /** The days that have a partition. */
    public Uni<List<LocalDate>> days() {
        return pool.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'telemetry.readings'::regclass AND c.relname ~ '^readings_p[0-9]{8}$'"
                + " ORDER BY c.relname")
                .execute()
                .map(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    rows.forEach(row -> days.add(LocalDate.parse(row.getString(0), NAME)));
                    return days;
                });
    }

    /** The UTC days that have rows in the default partition (readings no daily partition covered). */
    public Uni<List<LocalDate>> daysInDefault() {
        return pool.query("SELECT DISTINCT (ts AT TIME ZONE 'UTC')::date AS day FROM telemetry.readings_default"
                + " ORDER BY day")
                .execute()
                .map(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    rows.forEach(row -> days.add(row.getLocalDate(0)));
                    return days;
                });
    }

    /**
     * Creates the partition of {@code day} unless it exists. Rows of that day already in the
     * default partition are moved into it first (PostgreSQL refuses to attach a range the
     * default partition holds rows of). Answers how many rows moved, or -1 when it existed.
     */
    public Uni<Long> create(LocalDate day) {
        String table = "telemetry." + NAME.format(day);
        String from = day.toString() + " 00:00:00+00";
        String to = day.plusDays(1).toString() + " 00:00:00+00";
        return pool.withTransaction(tx -> lock(tx)
                .chain(() -> tx.preparedQuery("SELECT to_regclass($1) IS NOT NULL").execute(Tuple.of(table)))
                .chain(exists -> exists.iterator().next().getBoolean(0) ? Uni.createFrom().item(-1L)
                        : tx.query("LOCK TABLE telemetry.readings_default IN ACCESS EXCLUSIVE MODE").execute()
                                .chain(() -> tx.query("CREATE TABLE " + table
                                        + " (LIKE telemetry.readings INCLUDING DEFAULTS)").execute())
                                .chain(() -> tx.query("WITH moved AS (DELETE FROM telemetry.readings_default"
                                        + " WHERE ts >= '" + from + "' AND ts < '" + to + "' RETURNING *)"
                                        + " INSERT INTO " + table + " SELECT * FROM moved").execute())
                                .call(() -> tx.query("ALTER TABLE telemetry.readings ATTACH PARTITION " + table
                                        + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')").execute())
                                .map(moved -> (long) moved.rowCount())));
    }

    /**
     * Detaches and drops every daily partition that ends at or before {@code cutoff}, whole (no
     * row-by-row delete), and forgets the idempotency keys of the dropped readings. Answers the
     * dropped days.
     */
    public Uni<List<LocalDate>> dropEndingBy(Instant cutoff) {
        return days().chain(days -> {
            List<LocalDate> expired = days.stream()
                    .filter(day -> !day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff))
                    .toList();
            if (expired.isEmpty()) {
                return Uni.createFrom().item(expired);
            }
            return pool.withTransaction(tx -> {
                Uni<Void> chain = lock(tx);
                for (LocalDate day : expired) {
                    String table = "telemetry." + NAME.format(day);
                    chain = chain
                            .chain(() -> tx.query("ALTER TABLE telemetry.readings DETACH PARTITION " + table).execute())
                            .chain(() -> tx.query("DROP TABLE " + table).execute())
                            .replaceWithVoid();
                }
                LocalDate through = expired.get(expired.size() - 1).plusDays(1);
                return chain
                        .chain(() -> tx.preparedQuery("DELETE FROM telemetry.reading_keys WHERE ts < $1")
                                .execute(Tuple.of(through.atStartOfDay().atOffset(ZoneOffset.UTC))))
                        .chain(() -> tx.preparedQuery("DELETE FROM telemetry.metric_days WHERE day < $1")
                                .execute(Tuple.of(through)))
                        .replaceWith(expired);
            });
        });
    }

    private static Uni<Void> lock(SqlConnection tx) {
        return tx.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK)).replaceWithVoid();
    }
}
