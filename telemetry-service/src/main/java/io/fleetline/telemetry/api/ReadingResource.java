package io.fleetline.telemetry.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.telemetry.config.TelemetryConfig;
import io.fleetline.telemetry.domain.Aggregation;
import io.fleetline.telemetry.domain.Csv;
import io.fleetline.telemetry.domain.Cursor;
import io.fleetline.telemetry.domain.Instants;
import io.fleetline.telemetry.domain.Reading;
import io.fleetline.telemetry.store.ReadingStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * Reading queries: latest, time range (keyset-paginated), aggregates and streamed CSV under
 * {@code /api/v1/devices/{id}/data}. The class path {@code /api} is shared with IngestResource,
 * which serves {@code POST} on the same route.
 */
@Path("/api")
public class ReadingResource {

    /** Readings per page when the client names no limit. */
    static final int DEFAULT_LIMIT = 1000;
    /** The most readings one page answers. */
    static final int MAX_LIMIT = 10_000;
    /** The lower bound of a range without {@code start}: the beginning of the data. */
    private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");
    private static final String TEXT_CSV = "text/csv";

    private final ReadingStore store;
    private final TelemetryConfig config;

    ReadingResource(ReadingStore store, TelemetryConfig config) {
        this.store = store;
        this.config = config;
    }

    /** A validated range: {@code start <= ts <= end}. */
    private record Range(Instant start, Instant end) {

        static Range of(String start, String end, Instant defaultStart) {
            Instant now = Instant.now();
            Range range = new Range(start == null ? defaultStart : Instants.parse("start", start, now),
                    end == null ? now : Instants.parse("end", end, now));
            if (range.start.isAfter(range.end)) {
                throw ApiException.invalidField("start", "must not be after 'end'.");
            }
            return range;
        }
    }

    @GET
    @Path("/v1/devices/{id}/data")
    @Produces(MediaType.APPLICATION_JSON)
    @Requires(Permission.READ)
    public Uni<Envelope> data(@PathParam("id") String deviceId, @QueryParam("start") String start,
            @QueryParam("end") String end, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("order") String order) {
        if (start == null && end == null && limit == null && cursor == null && order == null) {
            return latest(deviceId);
        }
        Range range = Range.of(start, end, BEGINNING);
        boolean descending = descending(order);
        Cursor after = cursor == null ? null : Cursor.decode(cursor);
        int requested = limit(limit);
        int size = Math.min(requested, MAX_LIMIT);
        return knownDevice(deviceId)
                .chain(() -> store.range(deviceId, range.start(), range.end(), after, descending, size + 1))
                .map(readings -> {
                    boolean more = readings.size() > size;
                    List<Reading> page = more ? readings.subList(0, size) : readings;
                    Map<String, Object> pagination = new LinkedHashMap<>();
                    pagination.put("limit", size);
                    pagination.put("order", descending ? "desc" : "asc");
                    pagination.put("has_more", more);
                    pagination.put("next_cursor", more
                            ? new Cursor(page.get(page.size() - 1).timestamp(), page.get(page.size() - 1).id()).encode()
                            : null);
                    Envelope envelope = Envelope.list(page).with("pagination", pagination);
                    return requested > MAX_LIMIT
                            ? envelope.with("message", "limit " + requested + " is above the maximum; clamped to "
                                    + MAX_LIMIT + ".")
                            : envelope;
                });
    }

    @GET
    @Path("/v1/devices/{id}/data")
    @Produces(TEXT_CSV)
    @Requires(Permission.READ)
    public RestMulti<Buffer> dataAsCsv(@PathParam("id") String deviceId, @QueryParam("start") String start,
            @QueryParam("end") String end, @QueryParam("order") String order) {
        return export(deviceId, start, end, order);
    }

    @GET
    @Path("/v1/devices/{id}/data/export")
    @Produces(TEXT_CSV)
    @Requires(Permission.READ)
    public RestMulti<Buffer> export(@PathParam("id") String deviceId, @QueryParam("start") String start,
            @QueryParam("end") String end, @QueryParam("order") String order) {
        Range range = Range.of(start, end, BEGINNING);
        boolean descending = descending(order);
        // first pass: the columns; then keyset pages, one buffer each, so memory stays constant
        Uni<List<String>> columns = knownDevice(deviceId)
                .chain(() -> store.metricNames(deviceId, range.start(), range.end()));
        return RestMulti.fromUniResponse(columns, metrics -> csv(deviceId, range, descending, metrics),
                metrics -> Map.of("Content-Disposition", List.of("attachment; filename=\"" + deviceId + ".csv\"")));
    }

    @GET
    @Path("/v1/devices/{id}/data/aggregate")
    @Produces(MediaType.APPLICATION_JSON)
    @Requires(Permission.READ)
    public Uni<Envelope> aggregate(@PathParam("id") String deviceId, @QueryParam("start") String start,
            @QueryParam("end") String end, @QueryParam("interval") String interval, @QueryParam("fn") String fn,
            @QueryParam("metrics") String metrics) {
        Instant now = Instant.now();
        Range range = Range.of(start, end, (end == null ? now : Instants.parse("end", end, now))
                .minus(java.time.Duration.ofDays(1)));
        Aggregation aggregation = Aggregation.parse(interval, fn, metrics);
        long buckets = java.time.Duration.between(range.start(), range.end()).dividedBy(aggregation.interval()) + 1;
        if (buckets > Aggregation.MAX_BUCKETS) {
            throw ApiException.invalidField("interval", "spans " + buckets + " buckets over this range; at most "
                    + Aggregation.MAX_BUCKETS + " are allowed, so choose a larger interval or a shorter range.");
        }
        return knownDevice(deviceId)
                .chain(() -> store.aggregate(deviceId, range.start(), range.end(), aggregation))
                .map(rows -> {
                    for (ReadingStore.Bucket row : rows) {
                        if (row.nonNumeric() > 0 && aggregation.metrics().contains(row.metric())) {
                            throw ApiException.invalidField("metrics", "names '" + row.metric()
                                    + "', which is not numeric in this range.");
                        }
                    }
                    Map<Instant, Map<String, Object>> values = new TreeMap<>();
                    for (ReadingStore.Bucket row : rows) {
                        if (row.count() == 0) {
                            continue;
                        }
                        Map<String, Object> metric = new LinkedHashMap<>();
                        for (String function : aggregation.functions()) {
                            metric.put(function, switch (function) {
                                case "avg" -> row.avg();
                                case "min" -> row.min();
                                case "max" -> row.max();
                                case "sum" -> row.sum();
                                case "count" -> row.count();
                                default -> row.last();
                            });
                        }
                        values.computeIfAbsent(row.start(), bucket -> new TreeMap<>()).put(row.metric(), metric);
                    }
                    List<Map<String, Object>> data = new ArrayList<>();
                    values.forEach((bucket, metricValues) -> {
                        Map<String, Object> item = new LinkedHashMap<>();
                        item.put("timestamp", bucket);
                        item.put("values", metricValues);
                        data.add(item);
                    });
                    Map<String, Object> query = new LinkedHashMap<>();
                    query.put("start", range.start());
                    query.put("end", range.end());
                    query.put("interval", aggregation.intervalName());
                    query.put("fn", aggregation.functions());
                    return Envelope.list(data).with("query", query);
                });
    }

    private Uni<Envelope> latest(String deviceId) {
        return store.latest(deviceId).map(latest -> {
            if (!latest.deviceKnown()) {
                throw notFound(deviceId);
            }
            return latest.reading() == null
                    ? Envelope.ok(null).with("message", "No readings yet.")
                    : Envelope.ok(latest.reading());
        });
    }

    private Multi<Buffer> csv(String deviceId, Range range, boolean descending, List<String> metrics) {
        int pageSize = config.exportPageSize();
        List<String> header = new ArrayList<>(List.of("timestamp", "received_at"));
        header.addAll(metrics);
        StringBuilder first = new StringBuilder();
        Csv.record(first, header);
        Multi<Buffer> pages = Multi.createBy().repeating()
                .uni(() -> new Cursor[1], last -> store
                        .range(deviceId, range.start(), range.end(), last[0], descending, pageSize)
                        .invoke(page -> {
                            if (!page.isEmpty()) {
                                Reading tail = page.get(page.size() - 1);
                                last[0] = new Cursor(tail.timestamp(), tail.id());
                            }
                        }))
                .whilst(page -> page.size() == pageSize)
                .filter(page -> !page.isEmpty())
                .map(page -> {
                    StringBuilder out = new StringBuilder(page.size() * 64);
                    List<String> fields = new ArrayList<>(header.size());
                    for (Reading reading : page) {
                        fields.clear();
                        fields.add(reading.timestamp().toString());
                        fields.add(reading.receivedAt().toString());
                        for (String metric : metrics) {
                            fields.add(Csv.value(reading.payload().get(metric)));
                        }
                        Csv.record(out, fields);
                    }
                    return Buffer.buffer(out.toString());
                });
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(Buffer.buffer(first.toString())),
                pages);
    }

    private Uni<Void> knownDevice(String deviceId) {
        return store.deviceExists(deviceId)
                .invoke(known -> {
                    if (!known) {
                        throw notFound(deviceId);
                    }
                })
                .replaceWithVoid();
    }

    private static boolean descending(String order) {
        if (order == null || order.equals("asc")) {
            return false;
        }
        if (order.equals("desc")) {
            return true;
        }
        throw ApiException.invalidField("order", "must be asc or desc.");
    }

    private static int limit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            if (limit.trim().matches("\\d+")) {
                return Integer.MAX_VALUE; // a huge number is still "above the maximum", clamped like any other
            }
        }
        throw ApiException.invalidField("limit", "must be a positive integer (at most " + MAX_LIMIT + ").");
    }

    private static ApiException notFound(String deviceId) {
        return ApiException.notFound("Device '" + deviceId + "' not found.");
    }
}
