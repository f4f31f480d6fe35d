package io.fleetline.telemetry.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.telemetry.domain.Aggregation;
import io.fleetline.telemetry.domain.Cursor;
import io.fleetline.telemetry.domain.Reading;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Read-side SQL of {@code telemetry.readings} and {@code telemetry.latest}. Range reads are keyset
 * scans of the primary key {@code (device_id, ts, id)}; latest is one primary-key lookup.
 */
@ApplicationScoped
public class ReadingStore {

    private static final String READING = "SELECT id, ts, received_at, payload FROM telemetry.readings"
            + " WHERE device_id = $1 AND ts >= $2 AND ts <= $3";

    private final Pool pool;

    ReadingStore(Pool pool) {
        this.pool = pool;
    }

    /** The latest reading of a device, as the device is known or not. */
    public record Latest(boolean deviceKnown, Reading reading) {
    }

    /** One aggregated metric of one bucket; {@code nonNumeric} counts values that are neither numbers nor null. */
    public record Bucket(Instant start, String metric, long count, Double avg, Double min, Double max, Double sum,
            Double last, long nonNumeric) {
    }

    /** Whether {@code deviceId} is registered. */
    public Uni<Boolean> deviceExists(String deviceId) {
        return pool.preparedQuery("SELECT 1 FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.iterator().hasNext());
    }

    /** The newest reading by device time, with whether the device exists, in one query. */
    public Uni<Latest> latest(String deviceId) {
        return pool.preparedQuery("SELECT l.reading_id, l.ts, l.received_at, l.payload FROM registry.devices d"
                + " LEFT JOIN telemetry.latest l ON l.device_id = d.device_id WHERE d.device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return new Latest(false, null);
                    }
                    Row row = rows.iterator().next();
                    if (row.getValue("reading_id") == null) {
                        return new Latest(true, null);
                    }
                    return new Latest(true, new Reading(row.getLong("reading_id"), deviceId,
                            instant(row.getOffsetDateTime("ts")), instant(row.getOffsetDateTime("received_at")),
                            payload(row)));
                });
    }

    /**
     * Up to {@code limit} readings with {@code start <= ts <= end}, in device-time order (then id),
     * strictly past {@code after} when given.
     */
    public Uni<List<Reading>> range(String deviceId, Instant start, Instant end, Cursor after, boolean descending,
            int limit) {
        String order = descending ? " ORDER BY ts DESC, id DESC" : " ORDER BY ts, id";
        Tuple args = Tuple.of(deviceId, utc(start), utc(end));
        String keyset = "";
        if (after != null) {
            keyset = descending ? " AND (ts, id) < ($4, $5)" : " AND (ts, id) > ($4, $5)";
            args.addValue(utc(after.ts())).addValue(after.id());
        }
        args.addValue(limit);
        return pool.preparedQuery(READING + keyset + order + " LIMIT $" + args.size())
                .execute(args)
                .map(rows -> {
                    List<Reading> readings = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        readings.add(new Reading(row.getLong("id"), deviceId, instant(row.getOffsetDateTime("ts")),
                                instant(row.getOffsetDateTime("received_at")), payload(row)));
                    }
                    return readings;
                });
    }

    /**
     * The metric names that occur in the range, sorted: the columns of a CSV export. The candidates
     * come from the catalog of the days the range touches ({@code telemetry.metric_days}); each is
     * kept if one reading in the range has it, looked for only within the days it was sent on. A
     * metric in most readings is found at the first one, so the header costs a few index probes,
     * not a pass over the range.
     */
    public Uni<List<String>> metricNames(String deviceId, Instant start, Instant end) {
        return pool.preparedQuery("SELECT m.metric FROM (SELECT metric, min(day) AS first, max(day) AS last"
                + " FROM telemetry.metric_days WHERE device_id = $1 AND day >= $2 AND day <= $3 GROUP BY metric) m"
                + " WHERE EXISTS (SELECT 1 FROM telemetry.readings r WHERE r.device_id = $1"
                + "  AND r.ts >= greatest($4, m.first::timestamp AT TIME ZONE 'UTC')"
                + "  AND r.ts <= $5 AND r.ts < (m.last + 1)::timestamp AT TIME ZONE 'UTC' AND r.payload ? m.metric)"
                + " ORDER BY m.metric")
                .execute(Tuple.of(deviceId, LocalDate.ofInstant(start, ZoneOffset.UTC), LocalDate.ofInstant(end, ZoneOffset.UTC),
                        utc(start), utc(end)))
                .map(rows -> {
                    List<String> names = new ArrayList<>();
                    rows.forEach(row -> names.add(row.getString(0)));
                    return names;
                });
    }

    /** Per bucket and metric: count, avg, min, max, sum and last of the numeric values, buckets aligned to UTC. */
    public Uni<List<Bucket>> aggregate(String deviceId, Instant start, Instant end, Aggregation aggregation) {
        return pool.preparedQuery("SELECT date_bin($4::bigint * interval '1 second', r.ts,"
                + " timestamptz '1970-01-01 00:00:00+00') AS bucket, m.key,"
                + " count(m.v) AS n, avg(m.v) AS avg, min(m.v) AS min, max(m.v) AS max, sum(m.v) AS sum,"
                + " (array_agg(m.v ORDER BY r.ts DESC, r.id DESC) FILTER (WHERE m.v IS NOT NULL))[1] AS last,"
                + " count(*) FILTER (WHERE m.t NOT IN ('number', 'null')) AS non_numeric"
                + " FROM telemetry.readings r CROSS JOIN LATERAL (SELECT e.key, jsonb_typeof(e.value) AS t,"
                + " CASE WHEN jsonb_typeof(e.value) = 'number' THEN (e.value #>> '{}')::float8 END AS v"
                + " FROM jsonb_each(r.payload) e WHERE cardinality($5::text[]) = 0 OR e.key = ANY($5::text[])) m"
                + " WHERE r.device_id = $1 AND r.ts >= $2 AND r.ts <= $3"
                + " GROUP BY bucket, m.key ORDER BY bucket, m.key")
                .execute(Tuple.from(new Object[] { deviceId, utc(start), utc(end), aggregation.interval().toSeconds(),
                        aggregation.metrics().toArray(String[]::new) }))
                .map(rows -> {
                    List<Bucket> buckets = new ArrayList<>();
                    for (Row row : rows) {
                        buckets.add(new Bucket(instant(row.getOffsetDateTime("bucket")), row.getString("key"),
                                row.getLong("n"), row.getDouble("avg"), row.getDouble("min"), row.getDouble("max"),
                                row.getDouble("sum"), row.getDouble("last"), row.getLong("non_numeric")));
                    }
                    return buckets;
                });
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> payload(Row row) {
        Object value = row.getValue("payload");
        return value instanceof JsonObject json ? json.getMap() : java.util.Map.of();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
