package io.fleetline.telemetry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestDevices;
import io.fleetline.commons.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * With the default limits, the ingest routes have the ingest class (60 a minute), queries the
 * default (100); a streamed answer carries the headers too.
 */
@QuarkusTest
@TestProfile(RateLimitClassTest.Limits.class)
class RateLimitClassTest {

    /** Access control and rate limits as in production. */
    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleetline.auth.enabled", "true", "fleetline.rate-limit.enabled", "true");
        }
    }

    @Inject
    Pool pool;

    @Test
    void ingestRoutesHaveTheIngestLimitAndQueriesTheDefault() {
        String key = TestKeys.write(pool);
        // Answered 404 or 400 after the limit was counted: the class shows in the headers.
        given().header(TestKeys.bearer(key)).contentType(ContentType.JSON).body("{\"temperature\":1}")
                .when().post("/api/v1/devices/nobody/data").then().statusCode(404).header("RateLimit-Limit", "60");
        for (String path : new String[] { "/api/v1/ingest", "/api/devices/ingest" }) {
            given().header(TestKeys.bearer(key)).contentType(ContentType.JSON).body("{}")
                    .when().post(path).then().statusCode(400).header("RateLimit-Limit", "60");
        }
        given().header(TestKeys.bearer(key)).when().get("/api/v1/devices/nobody/data")
                .then().statusCode(404).header("RateLimit-Limit", "100");
    }

    @Test
    void aStreamedCsvExportCarriesTheLimitHeaders() {
        String key = TestKeys.write(pool);
        String device = TestDevices.register(pool, "limit-csv");
        given().header(TestKeys.bearer(key)).contentType(ContentType.JSON).body("{\"temperature\":1}")
                .when().post("/api/v1/devices/{id}/data", device).then().statusCode(201);
        given().header(TestKeys.bearer(key)).when().get("/api/v1/devices/{id}/data/export?start=-1d", device)
                .then().statusCode(200).header("RateLimit-Limit", "100").header("RateLimit-Remaining", matchesPattern("\\d+"));
    }
}
