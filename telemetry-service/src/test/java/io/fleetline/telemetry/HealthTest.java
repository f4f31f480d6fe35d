package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void healthIsOkAndNamesTheService() {
        given().when().get("/api/v1/health")
                .then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("service", equalTo("telemetry-service"));
    }

    @Test
    void readinessIsUpWithItsDependencies() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("mqtt"));
    }

    @Test
    void unknownRouteIsAnEnvelope404() {
        given().when().get("/api/v1/nothing-here")
                .then().statusCode(404)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(404));
    }
}
