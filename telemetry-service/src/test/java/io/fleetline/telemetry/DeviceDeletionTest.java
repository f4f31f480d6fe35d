package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

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
        for (String table : new String[] { "latest", "reading_keys", "rule_state", "rules" }) {
            assertEquals(0, rows(gone, table), table);
            assertEquals(1, rows(other, table), table + " of another device");
        }
        assertEquals(1, rows(other, "readings"));
    }

    private long rows(String device, String table) {
        return TestDevices.count(pool, "SELECT count(*) FROM telemetry." + table + " WHERE device_id = $1", device);
    }
}
