package io.fleetline.commons;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class HealthAndSchemaTest {

    @Inject
    Pool pool;

    @Test
    void healthAnswersOkWithTheServiceName() {
        given().when().get("/api/v1/health")
                .then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("service", equalTo("service-commons-test"));
    }

    @Test
    void readinessChecksPostgresqlAndTheBroker() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("mqtt"))
                .body("checks.name", hasItem(containsString("PostgreSQL")));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsAndOpenApiAreServed() {
        given().when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("fleetline_outbox_backlog"));
        given().accept("application/json").when().get("/q/openapi")
                .then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/health"));
    }

    @Test
    void flywayCreatedTheServiceSchema() {
        long tables = pool.preparedQuery("SELECT count(*) FROM information_schema.tables"
                + " WHERE table_schema = 'commons_test' AND table_name IN ('outbox', 'flyway_schema_history')")
                .execute().await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertEquals(2, tables);
    }

    @Test
    void connectionsRunWithoutJitCompilation() {
        String jit = pool.query("SHOW jit").execute().await().atMost(Duration.ofSeconds(5)).iterator().next().getString(0);
        assertEquals("off", jit);
    }
}
