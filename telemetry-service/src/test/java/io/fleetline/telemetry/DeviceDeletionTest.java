package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class DeviceDeletionTest {

    @Inject
    Pool pool;

    @Inject
    MqttLink link;

    @ConfigProperty(name = "fleetline.mqtt.client-id")
    String clientId;

    @Test
    void deviceDeletedEventForgetsTheDevicesReadingsLatestKeysAndRules() {
        String gone = TestDevices.register(pool, "del");
        String other = TestDevices.register(pool, "del-other");
        for (String device : new String[] { gone, other }) {
            given().contentType(ContentType.JSON)
                    .body("{\"device_id\":\"" + device + "\",\"metric\":\"temperature\",\"operator\":\">\","
                            + "\"threshold\":35,\"severity\":\"critical\"}")
                    .post("/api/v1/rules").then().statusCode(201);
            given().contentType(ContentType.JSON)
                    .body("{\"ts\":\"2024-05-01T10:00:00Z\",\"msg_id\":\"m-1\",\"temperature\":40}")
                    .post("/api/v1/devices/{id}/data", device).then().statusCode(201);
        }
        assertEquals(1, rows(gone, "rule_state"));

        try (MqttProbe probe = MqttProbe.connect()) {
            probe.publish("platform/events/device_deleted", new JsonObject()
                    .put("event", "device_deleted").put("event_id", "evt_" + gone).put("device_id", gone)
                    .put("timestamp", Instant.now().toString()).put("severity", "info").encode(), false);
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> rows(gone, "readings") == 0);
        for (String table : new String[] { "latest", "reading_keys", "metric_days", "rule_state", "rules" }) {
            assertEquals(0, rows(gone, table), table);
            assertEquals(1, rows(other, table), table + " of another device");
        }
        assertEquals(1, rows(other, "readings"));
    }

    @Test
    void aDeviceDeletedWhileTheServiceIsAwayIsForgottenWhenItReturns() {
        String gone = TestDevices.register(pool, "del-away");
        given().contentType(ContentType.JSON).body("{\"temperature\":21}")
                .post("/api/v1/devices/{id}/data", gone).then().statusCode(201);
        await().atMost(Duration.ofSeconds(15)).until(link::isConnected);
        // A client taking over the service's client id disconnects it; its persistent session,
        // subscription included, stays with the broker and queues what arrives meanwhile.
        Mqtt3BlockingClient takeover = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(1883).buildBlocking();
        takeover.connectWith().cleanSession(false).send();
        await().atMost(Duration.ofSeconds(15)).until(() -> !link.isConnected());
        takeover.disconnect();
        try (MqttProbe probe = MqttProbe.connect()) {
            probe.publish("platform/events/device_deleted", new JsonObject()
                    .put("event", "device_deleted").put("event_id", "evt_" + gone).put("device_id", gone)
                    .put("timestamp", Instant.now().toString()).put("severity", "info").encode(), false);
        }
        assertFalse(link.isConnected(), "device_deleted was published while the service was disconnected");

        await().atMost(Duration.ofSeconds(15)).until(() -> rows(gone, "readings") == 0 && rows(gone, "latest") == 0);
    }

    @Test
    void aDeviceRegisteredAgainBeforeTheDeletionArrivesKeepsItsNewReadingsAndTheirColumns() {
        String device = TestDevices.register(pool, "del-again");
        given().contentType(ContentType.JSON).body("{\"temperature\":21}")
                .post("/api/v1/devices/{id}/data", device).then().statusCode(201);
        // The registry deletes and the device is registered again before this service hears of it.
        TestDevices.query(pool, "DELETE FROM registry.devices WHERE device_id = $1", device);
        Instant deletedAt = Instant.now();
        TestDevices.register(pool, device, new JsonObject());
        given().contentType(ContentType.JSON).body("{\"temperature\":22}")
                .post("/api/v1/devices/{id}/data", device).then().statusCode(201);

        try (MqttProbe probe = MqttProbe.connect()) {
            probe.publish("platform/events/device_deleted", new JsonObject()
                    .put("event", "device_deleted").put("event_id", "evt_" + device).put("device_id", device)
                    .put("timestamp", deletedAt.toString()).put("severity", "info").encode(), false);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> rows(device, "readings") == 1);

        // Same day, same metric as the first registration: the catalog row was written again for
        // the new registration, so the deletion spared it and the export still has the column.
        String csv = given().get("/api/v1/devices/{id}/data/export?start=-1d", device)
                .then().statusCode(200).extract().asString();
        String[] lines = csv.split("\r\n");
        assertEquals("timestamp,received_at,temperature", lines[0]);
        assertEquals(2, lines.length);
        assertTrue(lines[1].endsWith(",22"), lines[1]);
    }

    private long rows(String device, String table) {
        return TestDevices.count(pool, "SELECT count(*) FROM telemetry." + table + " WHERE device_id = $1", device);
    }
}
