package io.fleetline.system.load;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;


import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.sun.net.httpserver.HttpServer;

/**
 * {@code ./stack bench webhooks}: {@code --rate} alerts a second published on
 * {@code platform/events/threshold_exceeded} (as the services' outboxes do) fan out to
 * {@code --endpoints} local receivers (plus {@code --stuck} that never answer); counts deliveries,
 * duplicates (same {@code webhook-id} twice at one receiver), missing ones, and the latency from
 * the event's publication to the delivery's arrival. The webhook gateway must allow 127.0.0.1
 * ({@code FLEETLINE_WEBHOOKS_ALLOWED_CIDRS}).
 */
final class WebhookLoad {

    private final Options options;

    WebhookLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        StackApi api = new StackApi(options);
        String run = Devices.run();
        // Deliveries for one device to one endpoint go out in event order, one at a time: the
        // events come from --devices devices, as a fleet's alerts do.
        List<String> devices = Devices.ids(run, options.integer("devices", 100));
        String deviceList = "\"" + String.join("\",\"", devices) + "\"";
        int endpoints = options.integer("endpoints", 4);
        int stuck = options.integer("stuck", 1);
        Report report = new Report("webhooks", options);
        String key = api.benchKey();

        List<Receiver> receivers = new ArrayList<>();
        List<String> endpointIds = new ArrayList<>();
        for (int i = 0; i < endpoints + stuck; i++) {
            Receiver receiver = new Receiver(i >= endpoints);
            receivers.add(receiver);
            endpointIds.add(api.send("POST", api.webhooks + "/api/v1/webhooks", key, "{\"url\":\"http://127.0.0.1:"
                    + receiver.port() + "/hook\",\"events\":[\"threshold_exceeded\"],\"device_ids\":[" + deviceList + "]}", 201)
                    .path("data").path("id").asText());
        }
        // Events enter as the services' outboxes publish them: QoS 1 on platform/events/<type>.
        int rate = options.integer("rate", 500);
        long total = rate * options.duration("duration", "20s").toSeconds();
        Mqtt3AsyncClient publisher = new MqttLoad(options).connected("bench-hooks-" + run);
        List<CompletableFuture<?>> acks = new ArrayList<>();
        long publishing = System.nanoTime();
        for (long n = 0; n < total; n++) {
            // sleep until due: a busy wait would take a core from the services being measured
            LockSupport.parkNanos(publishing + (long) (n * 1e9 / rate) - System.nanoTime());
            String body = "{\"event\":\"threshold_exceeded\",\"event_id\":\"evt_bench_" + run + "_" + n
                    + "\",\"device_id\":\"" + devices.get((int) (n % devices.size())) + "\",\"timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.MICROS)
                    + "\",\"severity\":\"critical\",\"condition\":\"temperature > 35.0\",\"current_value\":38.7,"
                    + "\"threshold\":35.0,\"message\":\"bench\"}";
            acks.add(publisher.publishWith().topic("platform/events/threshold_exceeded").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(body.getBytes(StandardCharsets.UTF_8)).send());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        double published = (System.nanoTime() - publishing) / 1e9;
        publisher.disconnect();
        long events = total;
        long expected = events * endpoints;
        long waiting = System.nanoTime();
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 5e9 && System.nanoTime() - waiting < 120e9) {
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
        report.line("%d threshold_exceeded events published (QoS 1, PUBACKed) in %.1f s (%.0f/s); %d answering endpoints + %d"
                + " that never answer", events, published, events / published, endpoints, stuck);
        report.line("delivered %d of %d expected: missing %d, duplicates %d; %.0f deliveries/s (first to last arrival)",
                delivered, expected, expected - delivered, duplicates,
                lastAt > first ? delivered / ((lastAt - first) / 1e6) : Double.NaN);
        report.line("event published -> signed delivery arrives: %s", latency.summary());
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
