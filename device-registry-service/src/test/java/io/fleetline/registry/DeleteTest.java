package io.fleetline.registry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.testing.MqttProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class DeleteTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Inject
    ObjectMapper json;

    @Test
    void deleteRemovesTheDeviceItsCommandsAndItsRetainedTopicsAndEmitsDeviceDeleted() throws Exception {
        String id = "del-" + UUID.randomUUID().toString().substring(0, 12);
        String status = "devices/" + id + "/status";
        String config = "devices/" + id + "/config";
        given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"name\":\"d\",\"config\":{\"sample_interval_s\":30}}")
                .when().post("/api/v1/devices").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"command\":\"reboot\"}")
                .when().post("/api/v1/devices/" + id + "/commands").then().statusCode(201);
        try (MqttProbe device = MqttProbe.connect()) {
            device.publish(status, "{\"state\":\"online\",\"ts\":\"2026-03-10T15:10:00Z\"}", true);
        }
        // control: both retained topics hold a message before the delete
        try (MqttProbe before = MqttProbe.connect().subscribe(status).subscribe(config)) {
            await().atMost(BOUND).until(() -> !before.receivedOn(status).isEmpty() && !before.receivedOn(config).isEmpty());
        }

        Instant beforeDelete = Instant.now();
        try (MqttProbe events = MqttProbe.connect().subscribe("platform/events/device_deleted")) {
            given().when().delete("/api/v1/devices/" + id).then().statusCode(204);

            await().atMost(BOUND).until(() -> !events.receivedContaining("\"" + id + "\"").isEmpty());
            JsonNode event = json.readTree(events.receivedContaining("\"" + id + "\"").get(0).payload());
            assertEquals("device_deleted", event.get("event").asText());
            assertEquals(id, event.get("device_id").asText());
            assertTrue(event.get("event_id").asText().startsWith("evt_"));
            assertTrue(!Instant.parse(event.get("timestamp").asText()).isBefore(beforeDelete.minusSeconds(1)));
        }

        given().when().get("/api/v1/devices/" + id).then().statusCode(404)
                .body("error.message", equalTo("Device '" + id + "' not found."));
        assertEquals(0, Db.count(pool, "SELECT count(*) FROM registry.commands WHERE device_id = $1", id));
        await().atMost(BOUND).until(() -> Db.count(pool,
                "SELECT count(*) FROM registry.device_messages WHERE device_id = $1", id) == 0);
        try (MqttProbe after = MqttProbe.connect().subscribe(status).subscribe(config)) {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> after.receivedOn(status).isEmpty() && after.receivedOn(config).isEmpty());
        }
        given().when().delete("/api/v1/devices/" + id).then().statusCode(404);
    }

    @Test
    void reRegisteringADeletedIdStartsClean() {
        String id = "rereg-" + UUID.randomUUID().toString().substring(0, 12);
        given().contentType(ContentType.JSON).body("{\"device_id\":\"" + id + "\",\"name\":\"old\",\"config\":{\"a\":1}}")
                .when().post("/api/v1/devices").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"a\":2}").when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"command\":\"reboot\"}")
                .when().post("/api/v1/devices/" + id + "/commands").then().statusCode(201);
        given().when().delete("/api/v1/devices/" + id).then().statusCode(204);

        given().contentType(ContentType.JSON).body("{\"device_id\":\"" + id + "\",\"name\":\"new\"}")
                .when().post("/api/v1/devices").then().statusCode(201)
                .body("data.name", equalTo("new"))
                .body("data.config", equalTo(Map.of()));
        given().when().get("/api/v1/devices/" + id + "/config").then().statusCode(200).header("ETag", "\"1\"");
        given().when().get("/api/v1/devices/" + id + "/commands").then().statusCode(200)
                .body("count", equalTo(0)).body("pagination.total", equalTo(0));
        given().when().get("/api/v1/devices/" + id + "/shadow").then().statusCode(200)
                .body("data.reported_version", equalTo(null));
    }
}
