package io.fleetline.telemetry.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
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
import io.smallrye.mutiny.infrastructure.Infrastructure;
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
        // keyset pages: the shared limit rules, the cursor instead of an offset
        Paging paging = Paging.of(null, limit, DEFAULT_LIMIT, MAX_LIMIT);
        int size = paging.limit();
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
                    return paging.explain(Envelope.list(page).with("pagination", pagination));
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

    /**
     * The CSV of a range: a header, then one buffer per keyset page. The next page is fetched as
     * soon as the current one arrived, while the current one is formatted on a worker thread, so
     * the database and the formatting overlap; at most three pages are held at a time.
     */
    private Multi<Buffer> csv(String deviceId, Range range, boolean descending, List<String> metrics) {
        int pageSize = config.exportPageSize();
        List<String> header = new ArrayList<>(List.of("timestamp", "received_at"));
        header.addAll(metrics);
        StringBuilder first = new StringBuilder();
        Csv.record(first, header);
        Function<Cursor, CompletableFuture<List<Reading>>> fetch = after -> store
                .range(deviceId, range.start(), range.end(), after, descending, pageSize)
                .subscribeAsCompletionStage();
        Multi<Buffer> pages = Multi.createBy().repeating()
                .completionStage(() -> new Prefetch(fetch, pageSize), Prefetch::take)
                .whilst(page -> page.size() == pageSize)
                .filter(page -> !page.isEmpty())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(page -> {
                    StringBuilder out = new StringBuilder(page.size() * 80);
                    for (Reading reading : page) {
                        Csv.instant(out, reading.timestamp());
                        out.append(',');
                        Csv.instant(out, reading.receivedAt());
                        for (String metric : metrics) {
                            out.append(',');
                            Csv.field(out, Csv.value(reading.payload().get(metric)));
                        }
                        out.append("\r\n");
                    }
                    return Buffer.buffer(out.toString());
                });
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(Buffer.buffer(first.toString())),
                pages);
    }

    /** The page being fetched; taking it starts the fetch of the one after it, when there is one. */
    private static final class Prefetch {

        private final Function<Cursor, CompletableFuture<List<Reading>>> fetch;
        private final int pageSize;
        private volatile CompletableFuture<List<Reading>> next;

        Prefetch(Function<Cursor, CompletableFuture<List<Reading>>> fetch, int pageSize) {
            this.fetch = fetch;
            this.pageSize = pageSize;
            this.next = fetch.apply(null);
        }

        CompletionStage<List<Reading>> take() {
            return next.thenApply(page -> {
                if (page.size() == pageSize) {
                    Reading tail = page.get(page.size() - 1);
                    next = fetch.apply(new Cursor(tail.timestamp(), tail.id()));
                }
                return page;
            });
        }
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

    private static ApiException notFound(String deviceId) {
        return ApiException.notFound("Device '" + deviceId + "' not found.");
    }
}
