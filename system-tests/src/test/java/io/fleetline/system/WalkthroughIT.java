package io.fleetline.system;

import static io.fleetline.system.Stack.GATEWAY;
import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/**
 * The classic device-API walkthrough, from outside: register, list, ingest, latest, range,
 * command, config, delete; each step also through the unversioned {@code /api/**} paths the
 * gateway serves for older clients.
 */
class WalkthroughIT {

    private static final String RFC3339_Z = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$";

    @Test
    void theClassicWalkthroughWorksOnVersionedAndUnversionedPaths() {
        String id = "esp32-001-" + Stack.run();
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // register
        as(REGISTRY).body("""
                {"device_id":"%s","name":"Greenhouse Sensor","type":"sensor","location":"greenhouse-north",
                 "config":{"sample_interval_s":30,"mqtt_topic":"greenhouse/north/env"}}""".formatted(id))
                .post("/api/v1/devices")
                .then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/devices/" + id))
                .body("status", equalTo("ok"))
                .body("data.device_id", equalTo(id))
                .body("data.name", equalTo("Greenhouse Sensor"))
                .body("data.type", equalTo("sensor"))
                .body("data.location", equalTo("greenhouse-north"))
                .body("data.config.sample_interval_s", equalTo(30))
                .body("data.config.mqtt_topic", equalTo("greenhouse/north/env"))
                .body("data.connectivity", equalTo("unknown"))
                .body("data.registered", matchesPattern(RFC3339_Z))
                .body("data.last_seen", nullValue());

        // the same id again is a conflict
        as(REGISTRY).body("{\"device_id\":\"" + id + "\",\"name\":\"again\"}").post("/api/v1/devices")
                .then().statusCode(409).body("status", equalTo("error")).body("error.code", equalTo(409));

        // list, versioned and unversioned
        for (String path : new String[] {"/api/v1/devices", "/api/devices"}) {
            as(GATEWAY).queryParam("location", "greenhouse-north").queryParam("limit", 100).get(path)
                    .then().statusCode(200)
                    .body("status", equalTo("ok"))
                    .body("data.device_id", hasItem(id))
                    .body("count", greaterThanOrEqualTo(1))
                    .body("pagination.limit", equalTo(100))
                    .body("pagination.total", greaterThanOrEqualTo(1));
        }
        as(GATEWAY).get("/api/devices/" + id).then().statusCode(200)
                .body("data.device_id", equalTo(id)).body("data.name", equalTo("Greenhouse Sensor"));

        // ingest, versioned and unversioned; a 201 means committed
        as(TELEMETRY).body("{\"temperature\":24.3,\"humidity\":58.7,\"soil_moisture\":42.1}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201)
                .body("status", equalTo("ok"))
                .body("message", equalTo("Reading stored."))
                .body("data.id", notNullValue())
                .body("data.ts", matchesPattern(RFC3339_Z));
        as(GATEWAY).body("{\"temperature\":24.5,\"humidity\":58.1,\"soil_moisture\":42.0,\"msg_id\":\"w-2\"}")
                .post("/api/devices/" + id + "/data")
                .then().statusCode(201).body("message", equalTo("Reading stored."));
        // the same msg_id again is not stored twice
        as(GATEWAY).body("{\"temperature\":24.5,\"humidity\":58.1,\"soil_moisture\":42.0,\"msg_id\":\"w-2\"}")
                .post("/api/devices/" + id + "/data")
                .then().statusCode(200);

        // latest: the second reading
        for (String path : new String[] {"/api/v1/devices/" + id + "/data", "/api/devices/" + id + "/data"}) {
            as(GATEWAY).get(path).then().statusCode(200)
                    .body("status", equalTo("ok"))
                    .body("data.device_id", equalTo(id))
                    .body("data.payload.temperature", equalTo(24.5))
                    .body("data.payload.humidity", equalTo(58.1))
                    .body("data.payload.soil_moisture", equalTo(42.0))
                    .body("data.timestamp", matchesPattern(RFC3339_Z));
        }

        // a historical range: both readings, oldest first
        String end = Instant.now().plusSeconds(5).toString();
        JsonPath range = as(TELEMETRY).queryParam("start", before.minusSeconds(5).toString()).queryParam("end", end)
                .get("/api/v1/devices/" + id + "/data")
                .then().statusCode(200).body("status", equalTo("ok")).body("count", equalTo(2))
                .body("pagination.has_more", equalTo(false))
                .extract().jsonPath();
        assertEquals(24.3, range.getDouble("data[0].payload.temperature"), 1e-9);
        assertEquals(58.7, range.getDouble("data[0].payload.humidity"), 1e-9);
        assertEquals(42.1, range.getDouble("data[0].payload.soil_moisture"), 1e-9);
        assertEquals(24.5, range.getDouble("data[1].payload.temperature"), 1e-9);
        as(GATEWAY).queryParam("start", before.minusSeconds(5).toString()).queryParam("end", end)
                .get("/api/devices/" + id + "/data")
                .then().statusCode(200).body("count", equalTo(2));

        // a command, versioned and through the classic singular alias
        String commandId = as(REGISTRY).body("{\"command\":\"reboot\",\"params\":{\"delay_s\":5}}")
                .post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(201)
                .body("status", equalTo("ok"))
                .body("data.command_id", matchesPattern("^cmd_.+"))
                .body("data.device_id", equalTo(id))
                .body("data.command", equalTo("reboot"))
                .body("data.params.delay_s", equalTo(5))
                .body("data.status", equalTo("pending"))
                .body("data.created_at", matchesPattern(RFC3339_Z))
                .body("data.expires_at", matchesPattern(RFC3339_Z))
                .extract().path("data.command_id");
        as(REGISTRY).get("/api/v1/devices/" + id + "/commands/" + commandId).then().statusCode(200)
                .body("data.command_id", equalTo(commandId)).body("data.command", equalTo("reboot"));
        as(GATEWAY).body("{\"command\":\"reboot\",\"params\":{\"delay_s\":5}}")
                .post("/api/devices/" + id + "/command")
                .then().statusCode(201).body("data.command", equalTo("reboot")).body("data.device_id", equalTo(id));

        // config update: version 2, published to the device, visible on the device and its shadow
        as(REGISTRY).body("{\"sample_interval_s\":10,\"mqtt_topic\":\"greenhouse/north/env\"}")
                .put("/api/v1/devices/" + id + "/config")
                .then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("status", equalTo("ok"))
                .body("data.sample_interval_s", equalTo(10))
                .body("data.mqtt_topic", equalTo("greenhouse/north/env"))
                .body("version", equalTo(2));
        as(GATEWAY).get("/api/devices/" + id).then().statusCode(200).body("data.config.sample_interval_s", equalTo(10));
        as(REGISTRY).get("/api/v1/devices/" + id + "/shadow").then().statusCode(200)
                .body("data.desired.sample_interval_s", equalTo(10))
                .body("data.version", equalTo(2))
                .body("data.in_sync", equalTo(false));

        // delete: a write key may not, the admin key may; afterwards the device is gone everywhere
        String writeKey = as(REGISTRY).body("{\"name\":\"walkthrough writer\",\"permissions\":[\"write\"]}")
                .post("/api/v1/keys").then().statusCode(201).extract().path("data.key");
        as(REGISTRY, writeKey).delete("/api/v1/devices/" + id).then().statusCode(403)
                .body("status", equalTo("error")).body("error.code", equalTo(403));
        as(GATEWAY).delete("/api/devices/" + id).then().statusCode(204);
        as(REGISTRY).get("/api/v1/devices/" + id).then().statusCode(404)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(404))
                .body("error.message", equalTo("Device '" + id + "' not found."));
        as(TELEMETRY).get("/api/v1/devices/" + id + "/data").then().statusCode(404).body("error.code", equalTo(404));
    }
}
