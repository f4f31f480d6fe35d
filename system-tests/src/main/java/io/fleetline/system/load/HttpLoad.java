package io.fleetline.system.load;

import java.io.InputStream;
import java.net.URI;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * HTTP load with a fixed number of requests in flight (closed loop): {@code http-ingest} (single
 * readings, or {@code --batch n} through the bulk route) and {@code query} (latest and 24-hour
 * range of devices that hold a day of readings).
 */
final class HttpLoad {

    private final Options options;
    private final StackApi api;
    private final Vertx vertx = Vertx.vertx();

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
                return api.call("POST", api.telemetry + "/api/v1/devices/" + device + "/data", key,
                        Devices.reading(first, Instant.now().truncatedTo(ChronoUnit.MICROS)));
            }
            StringBuilder body = new StringBuilder("{\"device_id\":\"").append(device).append("\",\"readings\":[");
            for (int i = 0; i < batch; i++) {
                body.append(i == 0 ? "" : ",").append(Devices.reading(first + i, Instant.now().truncatedTo(ChronoUnit.MICROS)));
            }
            return api.call("POST", api.telemetry + "/api/v1/ingest", key, body.append("]}").toString());
        });
        report.line("%s, %d devices, %d in flight, %.0f s", batch == 1 ? "single readings (POST /devices/{id}/data)"
                : "bulk of " + batch + " (POST /ingest)", devices, options.integer("concurrency", 64), stats.seconds);
        report.line("%d requests answered 201: %.0f requests/s, %.0f readings/s", stats.ok.get(),
                stats.ok.get() / stats.seconds, stats.ok.get() * batch / stats.seconds);
        report.line("latency: %s", stats.latency.summary());
        report.line("errors: %s", stats.errors);
        try (Connection db = Db.connect(options)) {
            long accepted = stats.ok.get() * batch;
            Db.Stored stored = Db.settle(db, Db.Scope.run(run), accepted, 3_000, 60_000);
            report.line("stored %d rows for %d readings answered 201: loss %d, duplicates %d", stored.rows(), accepted,
                    Math.max(0, accepted - stored.distinct()), stored.rows() - stored.distinct());
        }
        report.peakRss();
    }

    /**
     * {@code ./stack bench query}: {@code --devices} devices each holding {@code --readings}
     * readings {@code --interval} apart up to now (loaded through the bulk route), then the latest
     * reading and the last 24 hours of random devices, each for {@code --duration}.
     */
    void query() throws Exception {
        int devices = options.integer("devices", 20);
        int perDevice = options.integer("readings", 2880);
        Duration interval = options.duration("interval", "30s");
        String run = Devices.run();
        List<String> ids = Devices.ids(run, devices);
        Report report = new Report("query", options);
        api.register(ids, "sensor", "{\"sample_interval_s\":30}");
        String key = api.benchKey();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long load = System.nanoTime();
        load(key, ids, perDevice, now, interval);
        report.line("loaded %d devices x %d readings %d s apart (%d readings) in %.1f s through the bulk route", devices,
                perDevice, interval.toSeconds(), (long) devices * perDevice, (System.nanoTime() - load) / 1e9);
        String start = URLEncoder.encode(now.minus(Duration.ofHours(24)).plusMillis(1).toString(), StandardCharsets.UTF_8);
        String end = URLEncoder.encode(now.plusSeconds(1).toString(), StandardCharsets.UTF_8);
        long perDay = Math.min(perDevice, Duration.ofHours(24).dividedBy(interval));
        for (String kind : List.of("latest", "range")) {
            Stats stats = run(options.integer("concurrency", 32), options.duration("duration", "20s"), n -> {
                String device = ids.get(ThreadLocalRandom.current().nextInt(devices));
                String url = api.telemetry + "/api/v1/devices/" + device + "/data"
                        + (kind.equals("range") ? "?start=" + start + "&end=" + end + "&limit=10000" : "");
                return api.call("GET", url, key, null);
            });
            report.line("%s: %.0f requests/s, %s, errors %s", kind.equals("latest") ? "latest (GET /devices/{id}/data)"
                    : "24-hour range (" + perDay + " readings per answer)", stats.ok.get() / stats.seconds,
                    stats.latency.summary(), stats.errors);
        }
        report.peakRss();
    }

    /**
     * {@code ./stack bench export}: one device holding {@code --readings} readings 10 s apart,
     * exported as CSV in one streamed response; rows/s and the telemetry service's heap while it streams.
     */
    void export() throws Exception {
        int readings = options.integer("readings", 1_000_000);
        String run = Devices.run();
        List<String> ids = Devices.ids(run, 1);
        Report report = new Report("export", options);
        api.register(ids, "sensor", "{\"sample_interval_s\":10}");
        String key = api.benchKey();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long load = System.nanoTime();
        load(key, ids, readings, now, Duration.ofSeconds(10));
        report.line("loaded %d readings 10 s apart (%.0f days) in %.1f s through the bulk route", readings,
                readings / 8640.0, (System.nanoTime() - load) / 1e9);
        String metrics = options.text("telemetry-metrics", "http://127.0.0.1:8082") + "/q/metrics";
        String url = api.telemetry + "/api/v1/devices/" + ids.get(0) + "/data/export?start="
                + URLEncoder.encode(now.minusSeconds(10L * readings).toString(), StandardCharsets.UTF_8);
        // The first export reads rows loaded seconds before; later ones read them again.
        int repeat = options.integer("repeat", 1);
        for (int pass = 1; pass <= repeat; pass++) {
            HeapSampler heap = new HeapSampler(metrics);
            long started = System.nanoTime();
            HttpResponse<InputStream> response = api.http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + key).header("Accept", "text/csv").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long rows = 0;
            long bytes = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[1 << 16];
                for (int read; (read = body.read(buffer)) > 0;) {
                    bytes += read;
                    for (int i = 0; i < read; i++) {
                        rows += buffer[i] == '\n' ? 1 : 0;
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            heap.close();
            report.line("export %d of %d, GET /devices/{id}/data/export: HTTP %d, %d rows (with header) %.1f MB in %.2f s:"
                    + " %.0f rows/s; telemetry-service heap used: max %.0f MB (sampled every 100 ms)", pass, repeat,
                    response.statusCode(), rows, bytes / 1e6, seconds, (rows - 1) / seconds, heap.maxMb());
        }
        report.peakRss();
    }

    /** Loads {@code perDevice} readings per device, {@code interval} apart and ending at {@code last}, 1,000 per bulk request, 8 requests in flight. */
    private void load(String key, List<String> ids, int perDevice, Instant last, Duration interval) throws Exception {
        Semaphore window = new Semaphore(8);
        AtomicLong failed = new AtomicLong();
        for (String device : ids) {
            for (int from = 0; from < perDevice; from += 1000) {
                StringBuilder body = new StringBuilder("{\"device_id\":\"").append(device).append("\",\"readings\":[");
                for (int i = from; i < Math.min(perDevice, from + 1000); i++) {
                    body.append(i == from ? "" : ",")
                            .append(Devices.reading(i, last.minus(interval.multipliedBy(perDevice - 1 - i))));
                }
                window.acquire();
                api.http.sendAsync(api.request("POST", api.telemetry + "/api/v1/ingest", key, body.append("]}").toString()),
                        HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                            if (failure != null || response.statusCode() != 201) {
                                failed.incrementAndGet();
                            }
                            window.release();
                        });
            }
        }
        window.acquire(8);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " bulk requests failed while loading");
        }
    }

    /** Samples a service's used heap ({@code jvm_memory_used_bytes{area="heap"}}, summed over pools) every 100 ms. */
    private final class HeapSampler implements AutoCloseable {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor();
        private volatile double maxBytes;

        HeapSampler(String metricsUrl) {
            timer.scheduleAtFixedRate(() -> {
                try {
                    HttpResponse<String> response = api.http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    double used = response.body().lines().filter(line -> line.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
                    maxBytes = Math.max(maxBytes, used);
                } catch (Exception e) {
                    // a missed sample; the next one counts
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        double maxMb() {
            return maxBytes / 1e6;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    /**
     * {@code ./stack bench registry}: registering devices ({@code POST /devices}) for
     * {@code --register-duration}, then reading them back ({@code GET /devices/{id}}) for
     * {@code --duration}, both authenticated; then what access control took inside the registry.
     */
    void registry() throws Exception {
        int concurrency = options.integer("concurrency", 64);
        String run = Devices.run();
        Report report = new Report("registry", options);
        String key = api.benchKey();
        LongFunction<String> id = n -> String.format("bench-%s-r%06d", run, n);
        Stats registering = run(concurrency, options.duration("register-duration", "10s"), n -> api.call("POST",
                api.registry + "/api/v1/devices", key, "{\"device_id\":\"" + id.apply(n) + "\",\"name\":\"Bench device " + n
                        + "\",\"location\":\"bench\",\"config\":{\"sample_interval_s\":3600}}"));
        long registered = registering.ok.get();
        report.line("register (POST /devices), %d in flight: %d devices in %.0f s, %.0f requests/s, %s, errors %s",
                concurrency, registered, registering.seconds, registered / registering.seconds,
                registering.latency.summary(), registering.errors);
        Stats reading = run(concurrency, options.duration("duration", "20s"), n -> api.call("GET",
                api.registry + "/api/v1/devices/" + id.apply(n % registered), key, null));
        report.line("read (GET /devices/{id}), %d in flight: %.0f requests/s, %s, errors %s", concurrency,
                reading.ok.get() / reading.seconds, reading.latency.summary(), reading.errors);
        report.line("access control in the registry (fleetline_auth_seconds, last 2 min): %s",
                api.metric(options.text("registry-metrics", "http://127.0.0.1:8081") + "/q/metrics", "fleetline_auth_seconds"));
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

    /** Keeps {@code concurrency} requests in flight for {@code duration}, over as many connections; request n comes from {@code next}. */
    Stats run(int concurrency, Duration duration, LongFunction<StackApi.Call> next) throws InterruptedException {
        Stats stats = new Stats();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency));
        Semaphore window = new Semaphore(concurrency);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            window.acquire();
            StackApi.Call call = next.apply(n++);
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.valueOf(call.method()))
                    .setAbsoluteURI(call.url());
            call.headers().forEach(request::putHeader);
            long sentAt = System.nanoTime();
            client.request(request)
                    .compose(sending -> call.body() == null ? sending.send() : sending.send(Buffer.buffer(call.body())))
                    .compose(response -> response.body().map(body -> response.statusCode()))
                    .onComplete(answer -> {
                        if (answer.failed()) {
                            stats.error(answer.cause().getClass().getSimpleName());
                        } else if (answer.result() / 100 == 2) {
                            stats.ok.incrementAndGet();
                            stats.latency.add((System.nanoTime() - sentAt) / 1000);
                        } else {
                            stats.error("HTTP " + answer.result());
                        }
                        window.release();
                    });
        }
        window.acquire(concurrency);
        stats.seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        return stats;
    }

}
