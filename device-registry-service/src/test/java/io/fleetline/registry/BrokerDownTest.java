package io.fleetline.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

/** The registry with its broker unreachable: writes are accepted and queued, reads work, readiness says degraded. */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
class BrokerDownTest {

    /** Points the service at a port where no broker listens. */
    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleetline.mqtt.port", "1");
        }
    }

    @Inject
    Pool pool;

    @Test
    void withoutTheBrokerWritesAreStoredAndQueuedAndReadinessIsDegraded() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'mqtt' }.data.state", equalTo("degraded"));
        given().when().get("/api/v1/health").then().statusCode(200).body("status", equalTo("ok"));

        String id = "nobroker-" + UUID.randomUUID().toString().substring(0, 12);
        given().contentType(ContentType.JSON).body("{\"device_id\":\"" + id + "\",\"name\":\"n\",\"config\":{\"a\":1}}")
                .when().post("/api/v1/devices").then().statusCode(201);
        Db.execute(pool, "UPDATE registry.devices SET connectivity = 'online' WHERE device_id = $1", id);
        given().contentType(ContentType.JSON).body("{\"a\":2}").when().put("/api/v1/devices/" + id + "/config")
                .then().statusCode(200).header("ETag", "\"2\"");
        String commandId = given().contentType(ContentType.JSON).body("{\"command\":\"reboot\"}")
                .when().post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(201).body("data.status", equalTo("pending"))
                .extract().path("data.command_id");

        given().when().get("/api/v1/devices/" + id).then().statusCode(200).body("data.config.a", equalTo(2));
        given().when().get("/api/v1/devices").then().statusCode(200).body("data.device_id", hasItem(id));
        given().when().get("/api/v1/devices/" + id + "/commands/" + commandId).then().statusCode(200)
                .body("data.status", equalTo("pending"));
        // config versions 1 and 2 and the command wait in the device-message queue for the broker
        assertEquals(3, Db.count(pool, "SELECT count(*) FROM registry.device_messages WHERE device_id = $1", id));
        assertEquals(0, Db.count(pool, "SELECT config_published_version FROM registry.devices WHERE device_id = $1", id));
        // the queue drains when a broker is reachable; clean up so the next run's relay does not publish it
        Db.execute(pool, "DELETE FROM registry.device_messages WHERE device_id = $1", id);
    }
}
