package io.fleetline.webhooks;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Test shortcuts for the webhook API. */
public final class Webhooks {

    private Webhooks() {
    }

    private static final List<String> CREATED = new CopyOnWriteArrayList<>();
    /** The test application's port: outside a test method (an {@code @AfterAll}) RestAssured is back on its default. */
    private static volatile int port;

    /** Creates an endpoint from {@code body} and returns the created data (including its secret). */
    public static JsonPath create(Map<String, Object> body) {
        JsonPath created = given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/webhooks")
                .then().statusCode(201).extract().jsonPath().setRootPath("data");
        CREATED.add(created.getString("id"));
        port = RestAssured.port;
        return created;
    }

    /** Deletes the endpoints the tests created, so their retries do not outlive the run. */
    public static void deleteCreated() {
        // 404: the test deleted it itself
        CREATED.forEach(id -> given().port(port).delete("/api/v1/webhooks/" + id).then().statusCode(anyOf(is(200), is(404))));
        CREATED.clear();
    }

    /** The delivery log entry of {@code deliveryId}. */
    public static JsonPath delivery(String endpointId, String deliveryId) {
        return given().when().get("/api/v1/webhooks/" + endpointId + "/deliveries/" + deliveryId)
                .then().statusCode(200).extract().jsonPath().setRootPath("data");
    }

    /** The id of the newest delivery of {@code endpointId}, or null. */
    public static String latestDeliveryId(String endpointId) {
        return given().when().get("/api/v1/webhooks/" + endpointId + "/deliveries")
                .then().statusCode(200).extract().path("data[0].id");
    }

    /** A bound generous enough for a busy two-core machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);
}
