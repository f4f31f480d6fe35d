package io.fleetline.webhooks.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fleetline.webhooks.Webhooks;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class EndpointApiTest {

    @org.junit.jupiter.api.AfterAll
    static void cleanUp() {
        Webhooks.deleteCreated();
    }

    private static final String RECEIVER = "http://127.0.0.1:9/hook";

    @Test
    void creatingAnEndpointReturns201WithItsSecretShownOnce() {
        JsonPath created = Webhooks.create(Map.of("url", RECEIVER, "events", List.of("threshold_exceeded"),
                "min_severity", "critical", "format", "discord", "description", "ops channel"));
        String id = created.getString("id");
        org.junit.jupiter.api.Assertions.assertTrue(created.getString("secret").startsWith("whsec_"));

        given().get("/api/v1/webhooks/" + id).then().statusCode(200)
                .body("data.url", equalTo(RECEIVER))
                .body("data.events", equalTo(List.of("threshold_exceeded")))
                .body("data.min_severity", equalTo("critical"))
                .body("data.format", equalTo("discord"))
                .body("data.enabled", equalTo(true))
                .body("data", not(org.hamcrest.Matchers.hasKey("secret")));
        given().get("/api/v1/webhooks").then().statusCode(200).body("data.id", hasItem(id));
    }

    @Test
    void patchChangesOnlyTheGivenFieldsAndNullMeansAll() {
        String id = Webhooks.create(Map.of("url", RECEIVER, "events", List.of("device_online"),
                "device_ids", List.of("esp32-001"))).getString("id");
        given().contentType(ContentType.JSON).body("{\"events\":null,\"min_severity\":\"warning\"}")
                .patch("/api/v1/webhooks/" + id).then().statusCode(200)
                .body("data.events", nullValue())
                .body("data.min_severity", equalTo("warning"))
                .body("data.device_ids", equalTo(List.of("esp32-001")));
    }

    @Test
    void deletingAnEndpointRemovesIt() {
        String id = Webhooks.create(Map.of("url", RECEIVER)).getString("id");
        given().delete("/api/v1/webhooks/" + id).then().statusCode(200).body("status", equalTo("ok"));
        given().get("/api/v1/webhooks/" + id).then().statusCode(404)
                .body("error.message", equalTo("Webhook '" + id + "' not found."));
        given().delete("/api/v1/webhooks/" + id).then().statusCode(404);
    }

    @Test
    void rotatingTheSecretReturnsANewOneAndWhenTheOldExpires() {
        JsonPath created = Webhooks.create(Map.of("url", RECEIVER));
        given().post("/api/v1/webhooks/" + created.getString("id") + "/rotate-secret").then().statusCode(200)
                .body("data.secret", startsWith("whsec_"))
                .body("data.secret", not(equalTo(created.getString("secret"))))
                .body("data.previous_secret_expires_at", org.hamcrest.Matchers.notNullValue());
        given().post("/api/v1/webhooks/wh_missing/rotate-secret").then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://169.254.169.254/", "http://10.0.0.1/", "http://[::1]/", "http://100.64.0.1/",
            "http://192.168.1.20:8080/x", "http://172.16.0.1/", "http://224.0.0.1/", "http://0.0.0.0/",
            "http://[::ffff:10.0.0.1]/", "http://[fe80::1]/", "http://[fd00:ec2::254]/" })
    void internalAddressesAreRefused(String url) {
        given().contentType(ContentType.JSON).body(Map.of("url", url))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", startsWith("Field 'url' must not resolve to a loopback, private"));
    }

    @Test
    void changingTheUrlToAnInternalAddressIsRefusedAndChangesNothing() {
        String id = Webhooks.create(Map.of("url", RECEIVER)).getString("id");
        given().contentType(ContentType.JSON).body(Map.of("url", "http://169.254.169.254/latest/meta-data/"))
                .patch("/api/v1/webhooks/" + id).then().statusCode(400);
        given().get("/api/v1/webhooks/" + id).then().body("data.url", equalTo(RECEIVER));
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"url\":\"ftp://example.com/x\"}", "{\"url\":\"/relative\"}",
            "{\"url\":\"http://user:pw@example.com/\"}", "{\"url\":42}" })
    void badUrlsNameTheField(String body) {
        given().contentType(ContentType.JSON).body(body).post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", startsWith("Field 'url' "));
    }

    @Test
    void badFieldsNameTheFieldAndTheRule() {
        given().contentType(ContentType.JSON).body(Map.of("url", RECEIVER, "min_severity", "loud"))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", equalTo("Field 'min_severity' must be one of info, warning, critical"));
        given().contentType(ContentType.JSON).body(Map.of("url", RECEIVER, "events", List.of("nope")))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", startsWith("Field 'events' must contain only event types"));
        given().contentType(ContentType.JSON).body(Map.of("url", RECEIVER, "format", "slack"))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", equalTo("Field 'format' must be one of generic, discord"));
        given().contentType(ContentType.JSON).body(Map.of("url", RECEIVER, "device_ids", List.of("bad id")))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", startsWith("Field 'device_ids' must be"));
        given().contentType(ContentType.JSON).body(Map.of("url", RECEIVER, "colour", "red"))
                .post("/api/v1/webhooks").then().statusCode(400)
                .body("error.message", containsString("Field 'colour' is not a webhook field"));
    }

    @Test
    void badDeliveryPagingIs400NamingTheFieldAndATooLargeLimitIsClamped() {
        String id = Webhooks.create(Map.of("url", RECEIVER)).getString("id");
        given().post("/api/v1/webhooks/" + id + "/test").then().statusCode(202);
        given().get("/api/v1/webhooks/" + id + "/deliveries?limit=abc").then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", equalTo("Field 'limit' must be an integer of 1 or more; above 500 it is clamped to 500."));
        given().get("/api/v1/webhooks/" + id + "/deliveries?offset=-1").then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Field 'offset' must be an integer of 0 or more."));
        given().get("/api/v1/webhooks/" + id + "/deliveries?limit=600").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("count", equalTo(1))
                .body("pagination.limit", equalTo(500))
                .body("pagination.total", equalTo(1))
                .body("message", equalTo("limit 600 is above the maximum; clamped to 500."));
        given().get("/api/v1/webhooks/" + id + "/deliveries").then().statusCode(200)
                .body("pagination.limit", equalTo(50))
                .body("message", nullValue());
    }

    @Test
    void deliveryLogOfAnUnknownEndpointOrStatusIsAnError() {
        given().get("/api/v1/webhooks/wh_missing/deliveries").then().statusCode(404);
        String id = Webhooks.create(Map.of("url", RECEIVER)).getString("id");
        given().get("/api/v1/webhooks/" + id + "/deliveries?status=lost").then().statusCode(400)
                .body("error.message", startsWith("Field 'status' must be one of"));
        given().get("/api/v1/webhooks/" + id + "/deliveries").then().statusCode(200)
                .body("count", equalTo(0)).body("pagination.total", equalTo(0));
        given().get("/api/v1/webhooks/" + id + "/deliveries/dlv_missing").then().statusCode(404);
        given().post("/api/v1/webhooks/" + id + "/deliveries/dlv_missing/redeliver").then().statusCode(404);
    }
}
