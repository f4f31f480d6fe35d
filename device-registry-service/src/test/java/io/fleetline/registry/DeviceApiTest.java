package io.fleetline.registry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class DeviceApiTest {

    @Inject
    Pool pool;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static Response register(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/devices");
    }

    @Test
    void registeringReturns201WithTheDeviceAndDefaults() {
        String id = unique("esp32");
        register("{\"device_id\":\"" + id + "\",\"name\":\"Greenhouse Sensor\"}")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/devices/" + id))
                .body("status", equalTo("ok"))
                .body("data.device_id", equalTo(id))
                .body("data.name", equalTo("Greenhouse Sensor"))
                .body("data.type", equalTo("sensor"))
                .body("data.location", nullValue())
                .body("data.metadata", equalTo(java.util.Map.of()))
                .body("data.config", equalTo(java.util.Map.of()))
                .body("data.connectivity", equalTo("unknown"))
                .body("data.registered", notNullValue())
                .body("data.last_seen", nullValue());

        given().when().get("/api/v1/devices/" + id)
                .then().statusCode(200)
                .body("data.device_id", equalTo(id))
                .body("data.registered", containsString("Z"));
        assertEquals(1, Db.count(pool, "SELECT count(*) FROM registry.devices WHERE device_id = $1", id));
    }

    @Test
    void registeringEmitsDeviceRegistered() {
        String id = unique("reg-event");
        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/device_registered")) {
            register("{\"device_id\":\"" + id + "\",\"name\":\"n\",\"type\":\"gateway\"}").then().statusCode(201);
            await().atMost(Duration.ofSeconds(30)).until(() -> !probe.receivedContaining(id).isEmpty());
            String payload = probe.receivedContaining(id).get(0).payload();
            assertTrue(payload.contains("\"event\":\"device_registered\""), payload);
            assertTrue(payload.contains("\"device_name\":\"n\""), payload);
        }
    }

    @Test
    void registeringAnExistingIdReturns409AndKeepsTheFirst() {
        String id = unique("dup");
        register("{\"device_id\":\"" + id + "\",\"name\":\"first\"}").then().statusCode(201);
        register("{\"device_id\":\"" + id + "\",\"name\":\"second\"}")
                .then().statusCode(409)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(409))
                .body("error.message", equalTo("Device '" + id + "' already exists."));
        given().when().get("/api/v1/devices/" + id).then().statusCode(200).body("data.name", equalTo("first"));
    }

    @Test
    void everyMalformedBodyIsA400AndStoresNothing() {
        String id = unique("bad");
        String longName = "x".repeat(201);
        List<String[]> cases = List.of(
                new String[] { "[]", "JSON object" },
                new String[] { "null", "JSON object" },
                new String[] { "42", "JSON object" },
                new String[] { "\"text\"", "JSON object" },
                new String[] { "", "JSON object" },
                new String[] { "{\"device_id\":", "Malformed JSON" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"name\":\"b\"}", "Malformed JSON" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\"} trailing", "Malformed JSON" },
                new String[] { "{\"name\":\"a\"}", "Field 'device_id' is required." },
                new String[] { "{\"device_id\":42,\"name\":\"a\"}", "Field 'device_id' must be a string." },
                new String[] { "{\"device_id\":\"has space " + id + "\",\"name\":\"a\"}", "Field 'device_id' must match" },
                new String[] { "{\"device_id\":\"-" + id + "\",\"name\":\"a\"}", "Field 'device_id' must match" },
                new String[] { "{\"device_id\":\"a/" + id + "\",\"name\":\"a\"}", "Field 'device_id' must match" },
                new String[] { "{\"device_id\":\"" + "a".repeat(65) + "\",\"name\":\"a\"}", "Field 'device_id' must match" },
                new String[] { "{\"device_id\":\"" + id + "\"}", "Field 'name' is required." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"\"}", "Field 'name' must be a string of 1 to 200" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"" + longName + "\"}", "Field 'name' must be a string of 1 to 200" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":7}", "Field 'name' must be a string" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"type\":5}", "Field 'type'" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"location\":[]}", "Field 'location'" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"config\":[]}", "Field 'config' must be a JSON object." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"config\":\"x\"}", "Field 'config' must be a JSON object." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"config\":{\"sample_interval_s\":0}}", "Field 'sample_interval_s' must be an integer from 1 to 86400." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"config\":{\"sample_interval_s\":1.5}}", "Field 'sample_interval_s'" },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"metadata\":5}", "Field 'metadata' must be a JSON object." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"metadata\":[1]}", "Field 'metadata' must be a JSON object." },
                new String[] { "{\"device_id\":\"" + id + "\",\"name\":\"a\",\"colour\":\"red\"}", "Field 'colour' is not a known field." });
        for (String[] c : cases) {
            register(c[0]).then().statusCode(400)
                    .body("status", equalTo("error"))
                    .body("error.code", equalTo(400))
                    .body("error.message", containsString(c[1]));
        }
        assertEquals(0, Db.count(pool, "SELECT count(*) FROM registry.devices WHERE device_id LIKE $1", "%" + id));
    }

    @Test
    void aPageWalkOfFiveDevicesRegisteredInOneTransactionSeesEachExactlyOnce() {
        String type = unique("walk");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(type + "-" + i);
        }
        // one transaction: every row gets the same registered_at, so only seq keeps the order total
        pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO registry.devices (device_id, name, type)"
                + " SELECT id, id, $2 FROM unnest($1::text[]) AS id")
                .execute(Tuple.of(ids.toArray(String[]::new), type)))
                .await().atMost(Duration.ofSeconds(30));

        Set<String> seen = new HashSet<>();
        List<String> order = new ArrayList<>();
        List<Boolean> hasMore = new ArrayList<>();
        for (int offset = 0; offset < 6; offset += 2) {
            Response page = given().queryParam("type", type).queryParam("limit", 2).queryParam("offset", offset)
                    .when().get("/api/v1/devices");
            page.then().statusCode(200)
                    .body("status", equalTo("ok"))
                    .body("pagination.offset", equalTo(offset))
                    .body("pagination.limit", equalTo(2))
                    .body("pagination.total", equalTo(5));
            List<String> pageIds = page.jsonPath().getList("data.device_id");
            assertEquals(page.jsonPath().getInt("count"), pageIds.size());
            order.addAll(pageIds);
            pageIds.forEach(seen::add);
            hasMore.add(page.jsonPath().getBoolean("pagination.has_more"));
        }
        assertEquals(List.of(true, true, false), hasMore);
        assertEquals(5, order.size());
        assertEquals(new HashSet<>(ids), seen);
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), order,
                "newest registration first");
    }

    @Test
    void listFiltersByTypeLocationAndConnectivity() {
        String type = unique("filter");
        register("{\"device_id\":\"" + type + "-a\",\"name\":\"a\",\"type\":\"" + type + "\",\"location\":\"barn\"}")
                .then().statusCode(201);
        register("{\"device_id\":\"" + type + "-b\",\"name\":\"b\",\"type\":\"" + type + "\",\"location\":\"field\"}")
                .then().statusCode(201);
        Db.execute(pool, "UPDATE registry.devices SET connectivity = 'online' WHERE device_id = $1", type + "-b");

        given().queryParam("type", type).queryParam("location", "barn").when().get("/api/v1/devices")
                .then().statusCode(200).body("count", equalTo(1)).body("data[0].device_id", equalTo(type + "-a"));
        given().queryParam("type", type).queryParam("connectivity", "online").when().get("/api/v1/devices")
                .then().statusCode(200).body("count", equalTo(1)).body("data[0].device_id", equalTo(type + "-b"));
        given().queryParam("type", type).when().get("/api/v1/devices")
                .then().statusCode(200).body("count", equalTo(2)).body("pagination.limit", equalTo(50));
    }

    @Test
    void badPagingAndFiltersAre400() {
        for (String[] query : List.of(new String[] { "limit", "-1" }, new String[] { "limit", "abc" },
                new String[] { "offset", "-5" }, new String[] { "offset", "1.5" }, new String[] { "limit", "0" },
                new String[] { "connectivity", "sleeping" })) {
            given().queryParam(query[0], query[1]).when().get("/api/v1/devices")
                    .then().statusCode(400)
                    .body("status", equalTo("error"))
                    .body("error.message", containsString("'" + query[0] + "'"));
        }
        given().queryParam("connectivity", "sleeping").when().get("/api/v1/devices")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'connectivity' must be one of unknown, online, offline."));
        given().queryParam("limit", 1000).when().get("/api/v1/devices")
                .then().statusCode(200).body("pagination.limit", equalTo(200));
    }

    @Test
    void badPagingNamesFieldAndRuleAndATooLargeLimitIsClampedAndSaysSo() {
        String type = unique("page");
        for (String suffix : List.of("a", "b", "c")) {
            register("{\"device_id\":\"" + type + "-" + suffix + "\",\"name\":\"p\",\"type\":\"" + type + "\"}")
                    .then().statusCode(201);
        }
        given().queryParam("limit", "abc").when().get("/api/v1/devices")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", equalTo("Field 'limit' must be an integer of 1 or more; above 200 it is clamped to 200."));
        given().queryParam("offset", "-1").when().get("/api/v1/devices")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Field 'offset' must be an integer of 0 or more."));
        given().queryParam("type", type).queryParam("limit", 1000).when().get("/api/v1/devices")
                .then().statusCode(200)
                .body("count", equalTo(3))
                .body("pagination.limit", equalTo(200))
                .body("pagination.total", equalTo(3))
                .body("pagination.has_more", equalTo(false))
                .body("message", equalTo("limit 1000 is above the maximum; clamped to 200."));
        given().queryParam("type", type).queryParam("offset", 2).queryParam("limit", 1).when().get("/api/v1/devices")
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("data[0].device_id", equalTo(type + "-a"))
                .body("pagination.offset", equalTo(2))
                .body("message", nullValue());
        assertEquals(3, Db.count(pool, "SELECT count(*) FROM registry.devices WHERE type = $1", type));
    }

    @Test
    void unknownDeviceIs404WithTheContractMessage() {
        String id = unique("ghost");
        given().when().get("/api/v1/devices/" + id)
                .then().statusCode(404)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(404))
                .body("error.message", equalTo("Device '" + id + "' not found."));
        given().contentType(ContentType.JSON).body("{\"name\":\"x\"}").when().patch("/api/v1/devices/" + id)
                .then().statusCode(404).body("error.message", equalTo("Device '" + id + "' not found."));
        given().when().delete("/api/v1/devices/" + id)
                .then().statusCode(404).body("error.message", equalTo("Device '" + id + "' not found."));
    }

    @Test
    void patchMergesEditableFieldsAndNeverTouchesLastSeen() {
        String id = unique("patch");
        register("{\"device_id\":\"" + id + "\",\"name\":\"old\",\"location\":\"barn\","
                + "\"metadata\":{\"fw\":\"1.0\",\"owner\":{\"team\":\"a\",\"site\":\"x\"}}}").then().statusCode(201);
        Db.execute(pool, "UPDATE registry.devices SET last_seen = '2026-01-01T00:00:00Z' WHERE device_id = $1", id);

        given().contentType("application/merge-patch+json")
                .body("{\"name\":\"new\",\"location\":null,\"metadata\":{\"fw\":null,\"owner\":{\"site\":\"y\"}}}")
                .when().patch("/api/v1/devices/" + id)
                .then().statusCode(200)
                .body("data.name", equalTo("new"))
                .body("data.type", equalTo("sensor"))
                .body("data.location", nullValue())
                .body("data.metadata", equalTo(java.util.Map.of("owner", java.util.Map.of("team", "a", "site", "y"))))
                .body("data.last_seen", equalTo("2026-01-01T00:00:00Z"));

        given().contentType(ContentType.JSON).body("{\"last_seen\":\"2027-01-01T00:00:00Z\"}")
                .when().patch("/api/v1/devices/" + id)
                .then().statusCode(400).body("error.message", containsString("Field 'last_seen' cannot be changed"));
        given().contentType(ContentType.JSON).body("{\"name\":\"\"}").when().patch("/api/v1/devices/" + id)
                .then().statusCode(400).body("error.message", containsString("Field 'name'"));
        given().contentType(ContentType.JSON).body("[]").when().patch("/api/v1/devices/" + id)
                .then().statusCode(400).body("error.message", equalTo("Request body must be a JSON object."));
        given().when().get("/api/v1/devices/" + id).then().statusCode(200)
                .body("data.name", equalTo("new"))
                .body("data.last_seen", equalTo("2026-01-01T00:00:00Z"));
    }
}
