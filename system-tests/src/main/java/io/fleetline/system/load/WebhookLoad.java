package io.fleetline.system.load;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/**
 * {@code ./stack bench webhooks}: signed alerts posted to {@code /webhooks/iot} fan out to
 * {@code --endpoints} local receivers (plus {@code --stuck} that never answer); counts deliveries,
 * duplicates (same {@code webhook-id} twice at one receiver), missing ones, and the latency from
 * the inbound post to the delivery's arrival. The webhook gateway must allow 127.0.0.1
 * ({@code FLEETLINE_WEBHOOKS_ALLOWED_CIDRS}) and know the inbound secret.
 */
final class WebhookLoad {

    private final Options options;

    WebhookLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        StackApi api = new StackApi(options);
        String run = Devices.run();
        String device = "bench-" + run + "-hooks";
        int endpoints = options.integer("endpoints", 4);
        int stuck = options.integer("stuck", 1);
        String secret = options.text("inbound-secret",
                Options.env("FLEETLINE_WEBHOOKS_INBOUND_SECRETS", "").split(",")[0]);
        Report report = new Report("webhooks", options);
        String key = api.benchKey();

        List<Receiver> receivers = new ArrayList<>();
        List<String> endpointIds = new ArrayList<>();
        for (int i = 0; i < endpoints + stuck; i++) {
            Receiver receiver = new Receiver(i >= endpoints);
            receivers.add(receiver);
            endpointIds.add(api.send("POST", api.webhooks + "/api/v1/webhooks", key, "{\"url\":\"http://127.0.0.1:"
                    + receiver.port() + "/hook\",\"events\":[\"threshold_exceeded\"],\"device_ids\":[\"" + device + "\"]}", 201)
                    .path("data").path("id").asText());
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        AtomicLong ids = new AtomicLong();
        HttpLoad http = new HttpLoad(options);
        HttpLoad.Stats posted = http.run(options.integer("concurrency", 16), options.duration("duration", "20s"), n -> {
            String body = "{\"event\":\"threshold_exceeded\",\"event_id\":\"evt_bench_" + run + "_" + ids.incrementAndGet()
                    + "\",\"device_id\":\"" + device + "\",\"timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.MICROS)
                    + "\",\"severity\":\"critical\",\"condition\":\"temperature > 35.0\",\"current_value\":38.7,"
                    + "\"threshold\":35.0,\"message\":\"bench\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String signature;
            synchronized (mac) {
                signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(bytes));
            }
            return new StackApi.Call("POST", api.webhooks + "/webhooks/iot",
                    Map.of("Content-Type", "application/json", "X-Webhook-Signature", signature), bytes);
        });
        long events = posted.ok.get();
        long expected = events * endpoints;
        long start = System.nanoTime();
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 5e9 && System.nanoTime() - start < 120e9) {
            long now = receivers.stream().filter(r -> !r.stuck).mapToLong(r -> r.seen.size()).sum();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
            if (now >= expected && System.nanoTime() - quietSince > 1e9) {
                break;
            }
            Thread.sleep(200);
        }
        Latencies latency = new Latencies();
        long delivered = 0;
        long duplicates = 0;
        double first = Double.MAX_VALUE;
        double lastAt = 0;
        for (Receiver receiver : receivers) {
            if (receiver.stuck) {
                continue;
            }
            delivered += receiver.seen.size();
            duplicates += receiver.duplicates.get();
            for (long[] arrival : receiver.arrivals) {
                latency.add(arrival[1]);
                first = Math.min(first, arrival[0]);
                lastAt = Math.max(lastAt, arrival[0]);
            }
        }
        report.line("%d signed alerts accepted by /webhooks/iot in %.1f s (%.0f/s), errors %s; %d answering endpoints + %d"
                + " that never answer", events, posted.seconds, events / posted.seconds, posted.errors, endpoints, stuck);
        report.line("delivered %d of %d expected: missing %d, duplicates %d; %.0f deliveries/s (first to last arrival)",
                delivered, expected, expected - delivered, duplicates,
                lastAt > first ? delivered / ((lastAt - first) / 1e6) : Double.NaN);
        report.line("inbound post -> delivery arrives: %s", latency.summary());
        report.peakRss();
        // The endpoints go with the run, so the stuck one's retries do not weigh on later runs.
        for (String id : endpointIds) {
            api.send("DELETE", api.webhooks + "/api/v1/webhooks/" + id, key, null, 200);
        }
        receivers.forEach(r -> r.server.stop(0));
    }

    /** A local endpoint: records each delivery's id and arrival; a stuck one never answers. */
    private static final class Receiver {
        final HttpServer server;
        final boolean stuck;
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicLong duplicates = new AtomicLong();
        final List<long[]> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());

        Receiver(boolean stuck) throws Exception {
            this.stuck = stuck;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            server.setExecutor(Executors.newFixedThreadPool(stuck ? 64 : 8));
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (this.stuck) {
                    return; // never answers: the gateway's timeout is the only way out
                }
                long arrived = System.currentTimeMillis() * 1000;
                String id = exchange.getRequestHeaders().getFirst("webhook-id");
                if (!seen.add(id)) {
                    duplicates.incrementAndGet();
                }
                JsonNode event = StackApi.JSON.readTree(body);
                Instant sent = Instant.parse(event.path("timestamp").asText());
                long sentMicros = sent.getEpochSecond() * 1_000_000 + sent.getNano() / 1000;
                arrivals.add(new long[] {arrived, arrived - sentMicros});
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }
    }
}
