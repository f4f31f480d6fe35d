package io.fleetline.system.load;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * HTTP load with a fixed number of requests in flight (closed loop): {@code http-ingest} (single
 * readings, or {@code --batch n} through the bulk route) and {@code query} (latest and 24-hour
 * range of devices that hold a day of readings).
 */
final class HttpLoad {

    private final Options options;
    private final StackApi api;

    HttpLoad(Options options) throws Exception {
        this.options = options;
        this.api = new StackApi(options);
    }

    /** {@code ./stack bench http-ingest}. */
    void ingest() throws Exception {
        int devices = options.integer("devices", 100);
        int batch = options.integer("batch", 1);
        String run = Devices.run();
        List<String> ids = Devices.ids(run, devices);
        Report report = new Report("http-ingest", options);
        api.register(ids, "sensor", "{\"sample_interval_s\":3600}");
        String key = api.benchKey();
        AtomicLong sequence = new AtomicLong();
        Stats stats = run(options.integer("concurrency", 64), options.duration("duration", "30s"), n -> {
            String device = ids.get((int) (n % devices));
            long first = sequence.getAndAdd(batch);
            if (batch == 1) {
                return api.request("POST", api.telemetry + "/api/v1/devices/" + device + "/data", key,
                        Devices.reading(first, Instant.now().truncatedTo(ChronoUnit.MICROS)));
            }
            StringBuilder body = new StringBuilder("{\"device_id\":\"").append(device).append("\",\"readings\":[");
            for (int i = 0; i < batch; i++) {
                body.append(i == 0 ? "" : ",").append(Devices.reading(first + i, Instant.now().truncatedTo(ChronoUnit.MICROS)));
            }
            return api.request("POST", api.telemetry + "/api/v1/ingest", key, body.append("]}").toString());
        });
        report.line("%s, %d devices, %d in flight, %.0f s", batch == 1 ? "single readings (POST /devices/{id}/data)"
                : "bulk of " + batch + " (POST /ingest)", devices, options.integer("concurrency", 64), stats.seconds);
        report.line("%d requests answered 201: %.0f requests/s, %.0f readings/s", stats.ok.get(),
                stats.ok.get() / stats.seconds, stats.ok.get() * batch / stats.seconds);
        report.line("latency: %s", stats.latency.summary());
        report.line("errors: %s", stats.errors);
        try (Connection db = Db.connect(options)) {
            long accepted = stats.ok.get() * batch;
            Db.Stored stored = Db.settle(db, run, accepted, 3_000, 60_000);
            report.line("stored %d rows for %d readings answered 201: loss %d, duplicates %d", stored.rows(), accepted,
                    Math.max(0, accepted - stored.distinct()), stored.rows() - stored.distinct());
        }
        report.peakRss();
    }

    /** {@code ./stack bench query}: latest and the last 24 hours, half each. */
    void query() throws Exception {
        int devices = options.integer("devices", 20);
        int perDay = options.integer("readings", 2880);
        String run = Devices.run();
        List<String> ids = Devices.ids(run, devices);
        Report report = new Report("query", options);
        api.register(ids, "sensor", "{\"sample_interval_s\":30}");
        String key = api.benchKey();
        long load = System.nanoTime();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (String device : ids) {
            for (int from = 0; from < perDay; from += 1000) {
                StringBuilder body = new StringBuilder("{\"device_id\":\"").append(device).append("\",\"readings\":[");
                for (int i = from; i < Math.min(perDay, from + 1000); i++) {
                    body.append(i == from ? "" : ",").append(Devices.reading(i, now.minusSeconds(86_400L * (perDay - i) / perDay)));
                }
                api.send("POST", api.telemetry + "/api/v1/ingest", key, body.append("]}").toString(), 201);
            }
        }
        report.line("loaded %d devices x %d readings over the last 24 h in %.1f s (bulk route)", devices, perDay,
                (System.nanoTime() - load) / 1e9);
        String start = URLEncoder.encode(now.minus(Duration.ofHours(24)).minusSeconds(1).toString(), StandardCharsets.UTF_8);
        String end = URLEncoder.encode(now.plusSeconds(1).toString(), StandardCharsets.UTF_8);
        int limit = Math.min(10_000, perDay);
        for (String kind : List.of("latest", "range")) {
            Stats stats = run(options.integer("concurrency", 32), options.duration("duration", "20s"), n -> {
                String device = ids.get((int) (n % devices));
                String url = api.telemetry + "/api/v1/devices/" + device + "/data"
                        + (kind.equals("range") ? "?start=" + start + "&end=" + end + "&limit=" + limit : "");
                return api.request("GET", url, key, null);
            });
            report.line("%s: %.0f requests/s, %s, errors %s%s", kind.equals("latest") ? "latest (GET /devices/{id}/data)"
                    : "24-hour range (" + perDay + " readings per answer)", stats.ok.get() / stats.seconds,
                    stats.latency.summary(), stats.errors, "");
        }
        report.peakRss();
    }

    /** What a closed-loop run did. */
    static final class Stats {
        final AtomicLong ok = new AtomicLong();
        final Map<String, Long> errors = new TreeMap<>();
        final Latencies latency = new Latencies();
        double seconds;

        synchronized void error(String what) {
            errors.merge(what, 1L, Long::sum);
        }
    }

    /** Keeps {@code concurrency} requests in flight for {@code duration}; request n comes from {@code next}. */
    Stats run(int concurrency, Duration duration, LongFunction<HttpRequest> next) throws InterruptedException {
        Stats stats = new Stats();
        Semaphore window = new Semaphore(concurrency);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            window.acquire();
            HttpRequest request = next.apply(n++);
            long sentAt = System.nanoTime();
            api.http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
                if (failure != null) {
                    stats.error(failure.getClass().getSimpleName());
                } else if (response.statusCode() / 100 == 2) {
                    stats.ok.incrementAndGet();
                    stats.latency.add((System.nanoTime() - sentAt) / 1000);
                } else {
                    stats.error("HTTP " + response.statusCode());
                }
                window.release();
            });
        }
        window.acquire(concurrency);
        stats.seconds = (System.nanoTime() - start) / 1e9;
        return stats;
    }

}
