package io.fleetline.ingest.messaging;

import static io.fleetline.ingest.messaging.BridgeTesting.metric;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.commons.testing.TestDevices;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class TelemetryIngestTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Inject
    MqttLink link;

    @Inject
    DeviceSubscriber subscriber;

    @ConfigProperty(name = "fleetline.mqtt.client-id")
    String bridgeClientId;

    private MqttProbe device;

    @BeforeEach
    void connect() {
        await().atMost(WAIT).until(link::isConnected);
        device = MqttProbe.connect();
    }

    @AfterEach
    void disconnect() {
        device.close();
    }

    private String register() {
        return TestDevices.register(pool, "bridge");
    }

    private long rows(String deviceId) {
        return TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings WHERE device_id = $1", deviceId);
    }

    private void publish(String deviceId, String payload) {
        device.publish("devices/" + deviceId + "/telemetry", payload, false);
    }

    @Test
    void nQos1ReadingsPublishedBecomeNRows() {
        String id = register();
        int n = 500;
        for (int i = 0; i < n; i++) {
            publish(id, "{\"temperature\":" + i + ",\"humidity\":40.5,\"msg_id\":\"n-" + i + "\"}");
        }
        await().atMost(WAIT).until(() -> rows(id) == n);
        assertEquals(n, TestDevices.count(pool,
                "SELECT count(DISTINCT payload->>'temperature') FROM telemetry.readings WHERE device_id = $1", id));
    }

    @Test
    void theSameReadingPublishedThreeTimesIsStoredOnceWithOrWithoutMsgId() {
        String withMsgId = register();
        String withTsOnly = register();
        double duplicatesBefore = metric("fleetline_ingest_duplicates_total", "");
        for (int i = 0; i < 3; i++) {
            publish(withMsgId, "{\"temperature\":21.5,\"msg_id\":\"once\"}");
            publish(withTsOnly, "{\"temperature\":21.5,\"ts\":\"2024-05-01T10:00:00Z\"}");
        }
        await().atMost(WAIT).until(() -> metric("fleetline_ingest_duplicates_total", "") >= duplicatesBefore + 4);
        assertEquals(1, rows(withMsgId));
        assertEquals(1, rows(withTsOnly));
    }

    @Test
    void readingsPublishedWhileTheBridgeIsAwayAreStoredFromItsSessionWhenItReturns() {
        String id = register();
        // Take the bridge's persistent session over (the broker disconnects the bridge), then leave
        // it: the session lives on in the broker with the bridge's subscriptions, unattended.
        Mqtt3BlockingClient takeover = MqttClient.builder().useMqttVersion3().identifier(bridgeClientId)
                .serverHost("127.0.0.1").serverPort(1883).buildBlocking();
        takeover.connectWith().cleanSession(false).send();
        await().atMost(WAIT).until(() -> !link.isConnected());
        takeover.disconnect();

        for (int i = 0; i < 3; i++) {
            publish(id, "{\"level\":" + i + "}");
        }
        assertFalse(link.isConnected(), "the 3 readings were published while the bridge was disconnected");
        assertEquals(0, rows(id));

        await().atMost(WAIT).until(() -> rows(id) == 3);
        assertEquals(3, TestDevices.count(pool,
                "SELECT count(DISTINCT payload->>'level') FROM telemetry.readings WHERE device_id = $1", id));
    }

    @Test
    void aBatchThatFailsToCommitIsRetriedUntilItsReadingIsStored() {
        String id = register();
        // PostgreSQL refuses this device's readings (a trigger of this test only) and counts the
        // attempts in a sequence, which a rolled-back transaction does not undo.
        String refusal = "telemetry.refuse_" + id.replaceAll("[^A-Za-z0-9]", "_");
        TestDevices.query(pool, "CREATE SEQUENCE " + refusal + "_attempts");
        TestDevices.query(pool, "CREATE FUNCTION " + refusal + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.device_id = '" + id + "' THEN PERFORM nextval('" + refusal + "_attempts');"
                + " RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$");
        TestDevices.query(pool, "CREATE TRIGGER " + refusal.substring("telemetry.".length())
                + " BEFORE INSERT ON telemetry.readings FOR EACH ROW EXECUTE FUNCTION " + refusal + "()");
        double failuresBefore = metric("fleetline_ingest_commit_failures_total", "");
        try {
            publish(id, "{\"level\":7,\"msg_id\":\"kept\"}");
            await().atMost(WAIT).until(() -> TestDevices.count(pool,
                    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + refusal + "_attempts") >= 3);
            assertEquals(0, rows(id));
            await().atMost(WAIT).until(() -> metric("fleetline_ingest_commit_failures_total", "") >= failuresBefore + 3);
        } finally {
            TestDevices.query(pool, "DROP TRIGGER " + refusal.substring("telemetry.".length()) + " ON telemetry.readings");
            TestDevices.query(pool, "DROP FUNCTION " + refusal + "()");
            TestDevices.query(pool, "DROP SEQUENCE " + refusal + "_attempts");
        }
        await().atMost(WAIT).until(() -> rows(id) == 1);
        assertEquals(1, TestDevices.count(pool,
                "SELECT count(*) FROM telemetry.readings WHERE device_id = $1 AND msg_id = 'kept'", id));
    }

    @Test
    void aRetainedReadingIsStoredOnceAcrossABridgeRestart() {
        String id = register();
        String topic = "devices/" + id + "/telemetry";
        device.publish(topic, "{\"pressure\":1013}", true);
        try {
            await().atMost(WAIT).until(() -> rows(id) == 1);

            Mqtt3BlockingClient takeover = MqttClient.builder().useMqttVersion3().identifier(bridgeClientId)
                    .serverHost("127.0.0.1").serverPort(1883).buildBlocking();
            takeover.connectWith().cleanSession(false).send();
            await().atMost(WAIT).until(() -> !link.isConnected());
            takeover.disconnect();
            await().atMost(WAIT).until(link::isConnected);

            publish(id, "{\"pressure\":1014}");
            await().atMost(WAIT).until(() -> TestDevices.count(pool,
                    "SELECT count(*) FROM telemetry.readings WHERE device_id = $1 AND payload->>'pressure' = '1014'", id) == 1);
            assertEquals(1, TestDevices.count(pool,
                    "SELECT count(*) FROM telemetry.readings WHERE device_id = $1 AND payload->>'pressure' = '1013'", id));
        } finally {
            device.publish(topic, new byte[0], true);
        }
    }

    @Test
    void aMessageDeliveredWithTheRetainFlagIsSkipped() {
        String id = register();
        double before = metric("fleetline_ingest_retained_skipped_total", "");
        MqttPublishMessage replayed = MqttPublishMessage.create(1, MqttQoS.AT_LEAST_ONCE, false, true,
                "devices/" + id + "/telemetry", Unpooled.copiedBuffer("{\"t\":1}", StandardCharsets.UTF_8));
        subscriber.onTelemetry(replayed).await().atMost(WAIT);
        assertEquals(before + 1, metric("fleetline_ingest_retained_skipped_total", ""));
        publish(id, "{\"t\":2}");
        await().atMost(WAIT).until(() -> rows(id) == 1);
        assertEquals(0, TestDevices.count(pool,
                "SELECT count(*) FROM telemetry.readings WHERE device_id = $1 AND payload->>'t' = '1'", id));
    }

    @Test
    void malformedMessagesAreCountedByReasonNothingIsStoredAndTheNextValidOneIs() {
        String id = register();
        String ghost = TestDevices.uniqueId("ghost");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("invalid_utf8", new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        bad.put("malformed_json", "not json".getBytes(StandardCharsets.UTF_8));
        bad.put("not_an_object", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        bad.put("non_finite_number", "{\"t\":NaN}".getBytes(StandardCharsets.UTF_8));
        bad.put("oversize", ("{\"s\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        bad.put("device_id_mismatch", "{\"device_id\":\"someone-else\",\"t\":1}".getBytes(StandardCharsets.UTF_8));
        bad.put("ts_in_future", ("{\"t\":1,\"ts\":\"" + Instant.now().plus(25, ChronoUnit.HOURS) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Map<String, Double> before = new LinkedHashMap<>();
        for (String reason : bad.keySet()) {
            before.put(reason, metric("fleetline_ingest_rejected_total", "reason=\"" + reason + "\""));
        }
        double unknownBefore = metric("fleetline_ingest_rejected_total", "reason=\"unknown_device\"");

        bad.values().forEach(payload -> device.publish("devices/" + id + "/telemetry", payload, false));
        publish(ghost, "{\"t\":1}");
        publish(id, "{\"t\":42}");

        await().atMost(WAIT).until(() -> rows(id) == 1);
        for (String reason : bad.keySet()) {
            await().atMost(WAIT).until(() -> metric("fleetline_ingest_rejected_total", "reason=\"" + reason + "\"")
                    >= before.get(reason) + 1);
        }
        await().atMost(WAIT).until(() -> metric("fleetline_ingest_rejected_total", "reason=\"unknown_device\"")
                >= unknownBefore + 1);
        assertEquals(1, rows(id));
        assertEquals(42, TestDevices.count(pool,
                "SELECT (payload->>'t')::bigint FROM telemetry.readings WHERE device_id = $1", id));
        assertEquals(0, rows(ghost));
    }

    @Test
    void aLateReadingDoesNotReplaceLatest() {
        String id = register();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        publish(id, "{\"v\":\"new\",\"ts\":\"" + now + "\"}");
        publish(id, "{\"v\":\"old\",\"ts\":\"" + now.minusSeconds(120) + "\"}");
        await().atMost(WAIT).until(() -> rows(id) == 2);
        assertEquals(now.getEpochSecond(), TestDevices.count(pool,
                "SELECT extract(epoch FROM ts)::bigint FROM telemetry.latest WHERE device_id = $1", id));
        assertEquals(1, TestDevices.count(pool,
                "SELECT count(*) FROM telemetry.latest WHERE device_id = $1 AND payload->>'v' = 'new'", id));
    }
}
