package io.fleetline.registry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
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
class ConfigTest {

    private static final String MERGE = "application/merge-patch+json";

    @Inject
    Pool pool;

    @Inject
    ObjectMapper json;

    private static String registered(String config) {
        String id = "cfg-" + UUID.randomUUID().toString().substring(0, 12);
        given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"name\":\"c\",\"config\":" + config + "}")
                .when().post("/api/v1/devices").then().statusCode(201);
        return id;
    }

    @Test
    void getAnswersTheDesiredConfigWithItsVersionAsETag() {
        String id = registered("{\"sample_interval_s\":30}");
        given().when().get("/api/v1/devices/" + id + "/config")
                .then().statusCode(200)
                .header("ETag", "\"1\"")
                .body("data", equalTo(Map.of("sample_interval_s", 30)));
    }

    @Test
    void mergePatchFollowsRfc7396() throws Exception {
        String id = registered("{\"interval\":60,\"mode\":\"eco\",\"limits\":{\"max\":10,\"min\":0}}");
        given().contentType(MERGE).body("{\"mode\":null,\"limits\":{\"min\":null},\"gain\":2}")
                .when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("data", equalTo(Map.of("interval", 60, "limits", Map.of("max", 10), "gain", 2)));
        String stored = Db.rows(pool, "SELECT config::text FROM registry.devices WHERE device_id = $1", id)
                .get(0).getString(0);
        assertEquals(json.readTree("{\"interval\":60,\"limits\":{\"max\":10},\"gain\":2}"), json.readTree(stored));

        given().contentType(MERGE).body("{\"tags\":[\"a\",\"b\"]}").when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(200);
        given().contentType(MERGE).body("{\"tags\":[\"c\"]}").when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(200).body("data.tags", equalTo(List.of("c"))).header("ETag", "\"4\"");
    }

    @Test
    void patchWithAnotherContentTypeIs415AndChangesNothing() {
        String id = registered("{\"a\":1}");
        given().contentType(ContentType.JSON).body("{\"a\":2}").when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(415).body("status", equalTo("error")).body("error.code", equalTo(415));
        given().when().get("/api/v1/devices/" + id + "/config")
                .then().statusCode(200).header("ETag", "\"1\"").body("data.a", equalTo(1));
    }

    @Test
    void staleIfMatchIs412AndCurrentIfMatchSucceeds() {
        String id = registered("{\"a\":1}");
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"").body("{\"a\":2}")
                .when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(200).header("ETag", "\"2\"").body("data.a", equalTo(2));
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"").body("{\"a\":3}")
                .when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(412).body("status", equalTo("error")).body("error.code", equalTo(412));
        given().contentType(MERGE).header("If-Match", "\"1\"").body("{\"a\":4}")
                .when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(412);
        given().when().get("/api/v1/devices/" + id + "/config")
                .then().statusCode(200).header("ETag", "\"2\"").body("data.a", equalTo(2));
    }

    @Test
    void invalidConfigIs400AndChangesNothing() {
        String id = registered("{\"sample_interval_s\":10}");
        for (String body : List.of("[]", "null", "5", "{\"sample_interval_s\":0}", "{\"sample_interval_s\":86401}",
                "{\"sample_interval_s\":\"60\"}", "{\"sample_interval_s\":2.5}")) {
            given().contentType(ContentType.JSON).body(body).when().put("/api/v1/devices/" + id + "/config")
                    .then().statusCode(400).body("status", equalTo("error"));
        }
        given().contentType(MERGE).body("{\"sample_interval_s\":-1}").when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'sample_interval_s' must be an integer from 1 to 86400."));
        given().contentType(ContentType.JSON).body("{\"sample_interval_s\":86400}")
                .when().put("/api/v1/devices/" + id + "/config").then().statusCode(200).header("ETag", "\"2\"");
        assertEquals(2, Db.count(pool, "SELECT config_version FROM registry.devices WHERE device_id = $1", id));
    }

    @Test
    void aConfigChangeArrivesRetainedOnTheDeviceTopicAndEmitsAnEvent() throws Exception {
        String id = registered("{}");
        String eventPayload;
        try (MqttProbe events = MqttProbe.connect().subscribe("platform/events/device_config_updated")) {
            given().contentType(ContentType.JSON).body("{\"sample_interval_s\":15,\"mode\":\"fast\"}")
                    .when().put("/api/v1/devices/" + id + "/config").then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> !events.receivedContaining(id).isEmpty());
            eventPayload = events.receivedContaining(id).get(0).payload();
        }
        assertTrue(eventPayload.contains("\"event\":\"device_config_updated\""), eventPayload);

        String topic = "devices/" + id + "/config";
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.count(pool,
                "SELECT config_published_version FROM registry.devices WHERE device_id = $1", id) == 2);
        // a device that connects after the change still gets it: the broker replays it as retained
        try (MqttProbe device = MqttProbe.connect().subscribe(topic)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !device.receivedOn(topic).isEmpty());
            MqttProbe.Received message = device.receivedOn(topic).get(0);
            assertTrue(message.retained());
            JsonNode payload = json.readTree(message.payload());
            assertEquals(2, payload.get("version").asInt());
            assertEquals(json.readTree("{\"sample_interval_s\":15,\"mode\":\"fast\"}"), payload.get("config"));
        }
    }

    @Test
    void shadowComparesDesiredWithWhatTheDeviceReported() {
        String id = registered("{\"sample_interval_s\":60}");
        given().when().get("/api/v1/devices/" + id + "/shadow")
                .then().statusCode(200)
                .body("data.desired", equalTo(Map.of("sample_interval_s", 60)))
                .body("data.reported", nullValue())
                .body("data.version", equalTo(1))
                .body("data.reported_version", nullValue())
                .body("data.in_sync", equalTo(false))
                .body("data.reported_at", nullValue());

        try (MqttProbe device = MqttProbe.connect()) {
            device.publish("devices/" + id + "/config/reported", "{\"version\":1,\"config\":{\"sample_interval_s\":60}}",
                    false);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/api/v1/devices/" + id + "/shadow")
                .then().statusCode(200)
                .body("data.reported", equalTo(Map.of("sample_interval_s", 60)))
                .body("data.reported_version", equalTo(1))
                .body("data.in_sync", equalTo(true))
                .body("data.reported_at", containsString("Z")));

        given().contentType(MERGE).body("{\"sample_interval_s\":5}").when().patch("/api/v1/devices/" + id + "/config")
                .then().statusCode(200);
        given().when().get("/api/v1/devices/" + id + "/shadow")
                .then().statusCode(200).body("data.version", equalTo(2)).body("data.in_sync", equalTo(false));
    }

    @Test
    void configOfAnUnknownDeviceIs404() {
        String id = "cfg-ghost-" + UUID.randomUUID();
        given().when().get("/api/v1/devices/" + id + "/config").then().statusCode(404)
                .body("error.message", equalTo("Device '" + id + "' not found."));
        given().contentType(ContentType.JSON).body("{}").when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(404);
        given().when().get("/api/v1/devices/" + id + "/shadow").then().statusCode(404);
    }

    @Test
    void configEditsLeaveLastSeenAlone() {
        String id = registered("{}");
        Db.execute(pool, "UPDATE registry.devices SET last_seen = '2026-02-01T00:00:00Z' WHERE device_id = $1", id);
        given().contentType(ContentType.JSON).body("{\"x\":1}").when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(200);
        given().when().get("/api/v1/devices/" + id).then().statusCode(200)
                .body("data.last_seen", equalTo("2026-02-01T00:00:00Z"))
                .body("data.config", equalTo(Map.of("x", 1)));
    }
}
