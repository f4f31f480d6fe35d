package io.fleetline.system;

import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.WEBHOOKS;
import static io.fleetline.system.Stack.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/** An API key's life from outside: created, used, rotated, revoked, refused by every service. */
class ApiKeysIT {

    /** A protected read route of each service that has an API. */
    private static final List<String[]> PROTECTED = List.of(
            new String[] {REGISTRY, "/api/v1/devices"},
            new String[] {TELEMETRY, "/api/v1/rules"},
            new String[] {WEBHOOKS, "/api/v1/webhooks"});

    @Test
    void aKeyWorksUntilRotatedAwayOrRevokedAndThenEveryServiceAnswers401() {
        String device = Stack.register("keys-" + Stack.run(), "sensor", "{}");

        JsonPath created = as(REGISTRY).body("{\"name\":\"system test key\",\"permissions\":[\"write\"]}")
                .post("/api/v1/keys")
                .then().statusCode(201)
                .body("data.key", matchesPattern("^swk_[0-9a-f]{48}$"))
                .body("data.name", equalTo("system test key"))
                .body("data.permissions", equalTo(List.of("read", "write")))
                .extract().jsonPath();
        String key = created.getString("data.key");
        String keyId = created.getString("data.key_id");
        // listed without the key itself
        as(REGISTRY).get("/api/v1/keys").then().statusCode(200)
                .body("data.key_id", hasItem(keyId))
                .body("data.key", everyItem(nullValue()));

        // use it: on every service, as a bearer token and as X-API-Key
        for (String[] route : PROTECTED) {
            as(route[0], key).get(route[1]).then().statusCode(200).body("status", equalTo("ok"));
        }
        given().baseUri(TELEMETRY).header("X-API-Key", key).contentType("application/json")
                .body("{\"temperature\":20.0}").post("/api/v1/devices/" + device + "/data").then().statusCode(201);
        // a write key is not an admin key
        as(REGISTRY, key).get("/api/v1/keys").then().statusCode(403).body("error.code", equalTo(403));

        // rotate with no grace: the new key works, the old one stops
        JsonPath rotation = as(REGISTRY).body("{\"grace_s\":0}").post("/api/v1/keys/" + keyId + "/rotate")
                .then().statusCode(201)
                .body("data.key", matchesPattern("^swk_[0-9a-f]{48}$"))
                .body("data.key", not(equalTo(key)))
                .extract().jsonPath();
        String rotated = rotation.getString("data.key");
        String rotatedId = rotation.getString("data.key_id");
        for (String[] route : PROTECTED) {
            as(route[0], rotated).get(route[1]).then().statusCode(200);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    as(route[0], key).get(route[1]).then().statusCode(401).body("status", equalTo("error"))
                            .body("error.code", equalTo(401)));
        }

        // revoke the new key: refused everywhere
        as(REGISTRY).delete("/api/v1/keys/" + rotatedId).then().statusCode(204);
        for (String[] route : PROTECTED) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    as(route[0], rotated).get(route[1]).then().statusCode(401).body("error.code", equalTo(401)));
            // no key, and a key that was never issued
            given().baseUri(route[0]).get(route[1]).then().statusCode(401).body("status", equalTo("error"));
            as(route[0], "swk_" + "0".repeat(48)).get(route[1]).then().statusCode(401);
        }
        given().baseUri(TELEMETRY).header("X-API-Key", rotated).contentType("application/json")
                .body("{\"temperature\":20.0}").post("/api/v1/devices/" + device + "/data").then().statusCode(401);
    }
}
