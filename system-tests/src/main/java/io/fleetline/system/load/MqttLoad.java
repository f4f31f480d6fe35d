package io.fleetline.system.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;

/**
 * Devices over MQTT: {@code ingest} (N devices x rate, QoS 1, PUBACKs counted, then the stored
 * rows counted in PostgreSQL) and {@code mqtt-ceiling} (the same publishers to a bare subscriber,
 * what the broker alone can pass on this machine).
 */
final class MqttLoad {

    private final Options options;
    private final String host;
    private final int port;
    private final int devices;
    private final int rate;

    MqttLoad(Options options) {
        this.options = options;
        this.host = options.text("mqtt-host", Options.env("FLEETLINE_MQTT_HOST", "127.0.0.1"));
        this.port = Integer.parseInt(options.text("mqtt-port", Options.env("FLEETLINE_MQTT_PORT", "1883")));
        this.devices = options.integer("devices", 1000);
        this.rate = options.integer("rate", 10);
    }

    /** {@code ./stack bench ingest}: the whole device-to-database path. */
    void ingest() throws Exception {
        String run = Devices.run();
        List<String> ids = Devices.fleet(devices);
        StackApi api = new StackApi(options);
        Report report = new Report("ingest", options);
        report.line("devices %d x %d readings/s = %d readings/s offered, QoS 1, 4 metrics each, for %ds",
                devices, rate, devices * rate, options.duration("duration", "60s").toSeconds());
        long setup = System.nanoTime();
        // a long interval: the run measures ingest, not presence flapping between runs
        api.register(ids, "sensor", "{\"sample_interval_s\":3600}", true);
        report.line("fleet of %d devices ready (registered where new) in %.1f s", devices, (System.nanoTime() - setup) / 1e9);

        List<Mqtt3AsyncClient> clients = connect(ids.size(), "bench-" + run);
        LongFunction<String> topic = i -> "devices/" + ids.get((int) (i % ids.size())) + "/telemetry";
        BridgeLag bridge = new BridgeLag(options);
        try (Connection db = Db.connect(options)) {
            // The generator's JIT compiles in its first seconds while it publishes, stalling its
            // own sends: the warm-up's readings are checked for loss but left out of the figures.
            // Their msg ids start with "w_", which no run id holds, so no run's scope counts them.
            long warmup = options.duration("warmup", "10s").toSeconds();
            if (warmup > 0) {
                Result warm = publish(clients, topic,
                        seq -> Devices.reading("w_" + run + "-" + seq, Instant.now().truncatedTo(ChronoUnit.MICROS)), warmup);
                Db.Stored warmed = Db.settle(db, new Db.Scope("bench-fleet-%", "w_" + run + "-%"), warm.acked.get(),
                        10_000, 300_000);
                report.line("warm-up of %d s at the same rate: PUBACKed %d, stored %d distinct (loss %d); not in the figures below",
                        warmup, warm.acked.get(), warmed.distinct(), Math.max(warm.acked.get() - warmed.distinct(), 0));
            }
            Map<Double, Double> lagBefore = bridge.buckets();
            Result result = publish(clients, topic,
                    seq -> Devices.reading(run + "-" + seq, Instant.now().truncatedTo(ChronoUnit.MICROS)),
                    options.duration("duration", "60s").toSeconds());
            disconnect(clients);

            report.line("published %d, PUBACKed %d, failed %d in %.1f s: %.0f readings/s acknowledged",
                    result.sent, result.acked.get(), result.failed.get(), result.seconds, result.acked.get() / result.seconds);
            report.line("publish -> PUBACK: %s", result.ackLatency.summary());
            Db.Stored stored = Db.settle(db, new Db.Scope("bench-fleet-%", run + "-%"), result.acked.get(), 10_000, 300_000);
            long loss = result.acked.get() - stored.distinct();
            report.line("stored %d rows (%d distinct readings): loss %d, duplicates %d", stored.rows(), stored.distinct(),
                    Math.max(loss, 0), stored.rows() - stored.distinct());
            report.line("stored throughput %.0f readings/s (first to last received_at)",
                    stored.spanS() > 0 ? stored.rows() / stored.spanS() : Double.NaN);
            report.line("publish -> storing transaction's start (received_at - device ts): p50 %.1f ms, p95 %.1f ms,"
                    + " p99 %.1f ms, max %.1f ms", stored.p50Ms(), stored.p95Ms(), stored.p99Ms(), stored.maxMs());
            report.line("publish -> commit seen by the bridge (its fleetline_ingest_commit_lag buckets): %s",
                    BridgeLag.summary(lagBefore, bridge.buckets()));
        }
        report.peakRss();
    }

    /**
     * {@code ./stack bench presence}: {@code --devices} devices with a 1 s sample interval each
     * publish once, fall silent until the platform marks them offline, then publish again. Counts
     * the {@code device_online} and {@code device_offline} events per device on
     * {@code platform/events/#}: each transition must be announced exactly once, however many
     * bridge replicas run.
     */
    void presence() throws Exception {
        String run = Devices.run();
        List<String> ids = Devices.ids(run, devices);
        StackApi api = new StackApi(options);
        Report report = new Report("presence", options);
        api.register(ids, "sensor", "{\"sample_interval_s\":1}");
        Map<String, AtomicLong> online = new ConcurrentHashMap<>();
        Map<String, AtomicLong> offline = new ConcurrentHashMap<>();
        Mqtt3AsyncClient events = builder("bench-events-" + run).buildAsync();
        events.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
        events.subscribeWith().topicFilter("platform/events/+").qos(MqttQos.AT_LEAST_ONCE).callback(message -> {
            String topic = message.getTopic().toString();
            String device;
            try {
                device = StackApi.JSON.readTree(message.getPayloadAsBytes()).path("device_id").asText();
            } catch (IOException e) {
                return;
            }
            if (device.startsWith("bench-" + run + "-")) {
                Map<String, AtomicLong> counts = topic.endsWith("/device_online") ? online
                        : topic.endsWith("/device_offline") ? offline : null;
                if (counts != null) {
                    counts.computeIfAbsent(device, d -> new AtomicLong()).incrementAndGet();
                }
            }
        }).send().get(10, TimeUnit.SECONDS);
        List<Mqtt3AsyncClient> clients = connect(ids.size(), "bench-presence-" + run);
        for (int round = 1; round <= 2; round++) {
            long transitions = round;
            for (int i = 0; i < ids.size(); i++) {
                clients.get(i).publishWith().topic("devices/" + ids.get(i) + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Devices.reading(round, Instant.now()).getBytes(StandardCharsets.UTF_8)).send().join();
            }
            long deadline = System.currentTimeMillis() + 60_000;
            // silent devices go offline after 3 intervals, noticed by the next presence check (5 s)
            while (System.currentTimeMillis() < deadline
                    && ids.stream().anyMatch(id -> count(offline, id) < transitions || count(online, id) < transitions)) {
                Thread.sleep(200);
            }
        }
        Thread.sleep(options.duration("settle", "10s").toMillis());
        disconnect(clients);
        events.disconnect();
        report.line("%d devices, each: published, silent, published again, silent (two online and two offline transitions)",
                ids.size());
        for (String kind : List.of("device_online", "device_offline")) {
            Map<String, AtomicLong> counts = kind.equals("device_online") ? online : offline;
            Map<Long, Long> histogram = new TreeMap<>();
            ids.forEach(id -> histogram.merge(count(counts, id), 1L, Long::sum));
            report.line("%s events per device -> devices: %s (expected {2=%d})", kind, histogram, ids.size());
        }
        report.peakRss();
    }

    private static long count(Map<String, AtomicLong> counts, String id) {
        AtomicLong count = counts.get(id);
        return count == null ? 0 : count.get();
    }

    /**
     * {@code ./stack bench mqtt-ceiling}: publishers to one bare QoS 1 subscriber, no database. The
     * subscriber is {@code mosquitto_sub} (C) in a process of its own: a Java subscriber in the
     * generator's JVM competes with the publishers for the same cores and fell behind, measuring
     * itself instead of the broker.
     */
    void ceiling() throws Exception {
        String run = Devices.run();
        Report report = new Report("mqtt-ceiling", options);
        report.line("devices %d x %d messages/s = %d/s offered, QoS 1, the same payloads, one bare subscriber (mosquitto_sub)",
                devices, rate, devices * rate);
        // under platform/#, which the load generator's service account may use and no service reads
        List<String> command = new ArrayList<>(List.of("mosquitto_sub", "-h", host, "-p", String.valueOf(port),
                "-i", "bench-sub-" + run, "-q", "1", "-t", "platform/bench/" + run + "/#", "-F", "%U %p"));
        String user = options.text("mqtt-username", Options.env("FLEETLINE_MQTT_USERNAME", ""));
        if (!user.isEmpty()) {
            command.addAll(List.of("-u", user, "-P", options.text("mqtt-password", Options.env("FLEETLINE_MQTT_PASSWORD", ""))));
        }
        Process subscriber = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        AtomicLong received = new AtomicLong();
        AtomicLong lastAt = new AtomicLong();
        Latencies passThrough = new Latencies();
        // Each line: the subscriber's receive time (Unix seconds with nanoseconds), then the payload,
        // which carries the publisher's send time in epoch microseconds.
        Thread reader = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(subscriber.getInputStream(),
                    StandardCharsets.UTF_8), 1 << 16)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    int space = line.indexOf(' ');
                    int at = line.indexOf("\"sent_us\":");
                    long receivedUs = (long) (Double.parseDouble(line.substring(0, space)) * 1e6);
                    passThrough.add(receivedUs - Long.parseLong(line.substring(at + 10, line.indexOf(',', at))));
                    lastAt.set(System.nanoTime());
                    received.incrementAndGet();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "mosquitto_sub-reader");
        reader.start();
        Thread.sleep(1000); // mosquitto_sub connected and subscribed
        List<Mqtt3AsyncClient> clients = connect(devices, "bench-pub-" + run);
        long start = System.nanoTime();
        Result result = publish(clients, i -> "platform/bench/" + run + "/" + (i % devices),
                seq -> "{\"sent_us\":" + ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) + ","
                        + Devices.reading(seq, Instant.now()).substring(1),
                options.duration("duration", "60s").toSeconds());
        long deadline = System.currentTimeMillis() + 60_000;
        while (received.get() < result.acked.get() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        double seconds = (lastAt.get() - start) / 1e9;
        disconnect(clients);
        subscriber.destroy();
        reader.join(5000);
        report.line("published %d, PUBACKed %d, received %d (lost %d); the last arrived %.1f s after the first publish:"
                + " %.0f messages/s through the broker", result.sent, result.acked.get(), received.get(),
                result.acked.get() - received.get(), seconds, received.get() / seconds);
        report.line("publish -> PUBACK: %s", result.ackLatency.summary());
        report.line("publish -> subscriber: %s", passThrough.summary());
    }

    /** A client of the load generator's account, connected with a clean session. */
    Mqtt3AsyncClient connected(String id) throws Exception {
        Mqtt3AsyncClient client = builder(id).buildAsync();
        client.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
        return client;
    }

    private Mqtt3ClientBuilder builder(String id) {
        Mqtt3ClientBuilder builder = MqttClient.builder().useMqttVersion3().identifier(id).serverHost(host).serverPort(port);
        String user = options.text("mqtt-username", Options.env("FLEETLINE_MQTT_USERNAME", ""));
        if (!user.isEmpty()) {
            builder = builder.simpleAuth().username(user)
                    .password(options.text("mqtt-password", Options.env("FLEETLINE_MQTT_PASSWORD", ""))
                            .getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        return builder;
    }

    private List<Mqtt3AsyncClient> connect(int count, String prefix) {
        List<Mqtt3AsyncClient> clients = new ArrayList<>(count);
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Mqtt3AsyncClient client = builder(prefix + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 4))
                    .buildAsync();
            clients.add(client);
            connecting.add(client.connectWith().cleanSession(true).keepAlive(60).send());
            if (connecting.size() == 100) {
                CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
                connecting.clear();
            }
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
        return clients;
    }

    private static void disconnect(List<Mqtt3AsyncClient> clients) {
        CompletableFuture.allOf(clients.stream().map(Mqtt3AsyncClient::disconnect).toArray(CompletableFuture[]::new))
                .orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    /** What one publishing run did. */
    private static final class Result {
        long sent;
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Latencies ackLatency = new Latencies();
        double seconds;
    }

    /**
     * Publishes at {@code devices x rate} per second for {@code seconds}, spread evenly over
     * time and round-robin over the clients (message i goes to client i mod N, so each device
     * sends at {@code rate}); then waits up to 60 s for the outstanding PUBACKs.
     */
    private Result publish(List<Mqtt3AsyncClient> clients, LongFunction<String> topic, LongFunction<String> payload,
            long seconds) throws InterruptedException {
        long total = (long) devices * rate * seconds;
        double perNano = devices * (double) rate / 1e9;
        Result result = new Result();
        long start = System.nanoTime();
        List<CompletableFuture<?>> outstanding = new ArrayList<>();
        long seq = 0;
        while (seq < total) {
            long due = Math.min(total, (long) ((System.nanoTime() - start) * perNano) + 1);
            if (seq >= due) {
                Thread.sleep(1);
                continue;
            }
            for (; seq < due; seq++) {
                Mqtt3AsyncClient client = clients.get((int) (seq % clients.size()));
                long sentAt = System.nanoTime();
                CompletableFuture<?> ack = client.publishWith().topic(topic.apply(seq)).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload.apply(seq / clients.size()).getBytes(StandardCharsets.UTF_8)).send()
                        .whenComplete((done, failure) -> {
                            if (failure == null) {
                                result.acked.incrementAndGet();
                                result.ackLatency.add((System.nanoTime() - sentAt) / 1000);
                            } else {
                                result.failed.incrementAndGet();
                            }
                        });
                if (seq % 1000 == 0) {
                    outstanding.removeIf(CompletableFuture::isDone);
                }
                outstanding.add(ack);
            }
        }
        result.sent = seq;
        CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }
}
