package io.fleetline.ingest.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.readings.IncomingReading;
import io.fleetline.commons.readings.ReadingParser;
import io.fleetline.commons.readings.ReadingWriter;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.commons.testing.TestDevices;
import io.fleetline.ingest.store.PresenceStore;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class PresenceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Inject
    MqttLink link;

    @Inject
    PresenceStore presence;

    @Inject
    ReadingWriter writer;

    private MqttProbe probe;

    @BeforeEach
    void connect() {
        await().atMost(WAIT).until(link::isConnected);
        probe = MqttProbe.connect().subscribe("platform/events/device_online").subscribe("platform/events/device_offline");
    }

    @AfterEach
    void disconnect() {
        probe.close();
    }

    private String register(int sampleIntervalS) {
        return TestDevices.register(pool, TestDevices.uniqueId("presence"),
                new JsonObject().put("sample_interval_s", sampleIntervalS));
    }

    private List<JsonObject> events(String type, String deviceId) {
        return probe.receivedOn("platform/events/" + type).stream()
                .map(message -> new JsonObject(message.payload()))
                .filter(event -> deviceId.equals(event.getString("device_id")))
                .toList();
    }

    private String connectivity(String deviceId) {
        return TestDevices.query(pool, "SELECT connectivity FROM registry.devices WHERE device_id = $1", deviceId)
                .iterator().next().getString("connectivity");
    }

    private long outboxEvents(String type, String deviceId) {
        return TestDevices.count(pool, "SELECT count(*) FROM ingest.outbox WHERE topic = $1 AND payload LIKE $2",
                "platform/events/" + type, "%\"device_id\":\"" + deviceId + "\"%");
    }

    @Test
    void aDeviceIsOnlineFromItsFirstReadingAndOfflineAfterThreeSilentIntervalsWithOneEventEach() {
        String id = register(1);
        probe.publish("devices/" + id + "/telemetry", "{\"t\":1}", false);
        await().atMost(WAIT).until(() -> events("device_online", id).size() == 1);
        await().atMost(WAIT).until(() -> events("device_offline", id).size() == 1);
        assertEquals("offline", connectivity(id));

        JsonObject offline = events("device_offline", id).get(0);
        assertEquals(1, offline.getJsonObject("metadata").getInteger("expected_interval_s"));
        Instant lastSeen = Instant.parse(offline.getJsonObject("metadata").getString("last_seen"));
        Instant at = Instant.parse(offline.getString("timestamp"));
        assertTrue(!at.isBefore(lastSeen.plusSeconds(3)), "offline only after 3 intervals of silence");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> events("device_offline", id).size() == 1 && events("device_online", id).size() == 1);
    }

    @Test
    void anOfflineStatusLikeTheLastWillEmitsOneDeviceOffline() {
        String id = register(30);
        probe.publish("devices/" + id + "/status", "{\"state\":\"online\"}", false);
        await().atMost(WAIT).until(() -> events("device_online", id).size() == 1);

        probe.publish("devices/" + id + "/status", "{\"state\":\"offline\"}", false);
        await().atMost(WAIT).until(() -> events("device_offline", id).size() == 1);
        assertEquals("offline", connectivity(id));
        assertEquals(30, events("device_offline", id).get(0).getJsonObject("metadata").getInteger("expected_interval_s"));

        probe.publish("devices/" + id + "/status", "{\"state\":\"offline\"}", false);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> events("device_offline", id).size() == 1);
    }

    @Test
    void aStaleWillArrivingAfterTheDeviceReconnectedIsIgnored() {
        String id = register(30);
        Instant willTime = Instant.now().minusSeconds(10);
        probe.publish("devices/" + id + "/status", "{\"state\":\"online\",\"ts\":\"" + Instant.now() + "\"}", false);
        await().atMost(WAIT).until(() -> events("device_online", id).size() == 1);

        probe.publish("devices/" + id + "/status", "{\"state\":\"offline\",\"ts\":\"" + willTime + "\"}", false);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> events("device_offline", id).isEmpty() && "online".equals(connectivity(id)));
    }

    @Test
    void twoReplicasDecidingTheSameTransitionsEmitOneEventEach() {
        String id = register(30);
        IncomingReading reading = ReadingParser.parse(id, "{\"t\":1}".getBytes(), Instant.now());
        // two writers (as two replicas would) bring the device online at the same time
        Uni.join().all(writer.write(List.of(reading)), writer.write(List.of(reading))).andFailFast()
                .await().atMost(WAIT);
        assertEquals(1, outboxEvents("device_online", id));

        // two Last Wills handled at the same time by two replicas
        Uni.join().all(presence.offline(id, Instant.now()), presence.offline(id, Instant.now())).andFailFast()
                .await().atMost(WAIT);
        assertEquals(1, outboxEvents("device_offline", id));

        // back online, then silent for an hour: the periodic check and two more sweeps race
        writer.write(List.of(reading)).await().atMost(WAIT);
        TestDevices.query(pool, "UPDATE registry.devices SET last_seen = now() - interval '1 hour' WHERE device_id = $1", id);
        Uni.join().all(presence.sweepSilent(), presence.sweepSilent()).andFailFast().await().atMost(WAIT);
        await().atMost(WAIT).until(() -> "offline".equals(connectivity(id)));
        assertEquals(2, outboxEvents("device_online", id));
        assertEquals(2, outboxEvents("device_offline", id));
        await().atMost(WAIT).until(() -> events("device_offline", id).size() == 2);
    }
}
