package io.fleetline.registry.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** The {@code probe} class allows 3 requests per 5 s (AccessProfile). */
@QuarkusTest
@TestProfile(AccessProfile.class)
class RateLimitTest {

    private static final String LIMITED = "/api/v1/test-access/limited";

    @Inject
    Pool pool;

    @AfterAll
    static void noKeyReachedTheLog() throws Exception {
        UsedKeys.assertAbsentFromLog();
    }

    @Test
    void fourthRequestAnswers429WithHeadersAndTheNextWindowSucceeds() {
        String key = UsedKeys.remember(TestKeys.read(pool));
        for (int i = 1; i <= 3; i++) {
            given().header(TestKeys.bearer(key)).when().get(LIMITED)
                    .then().statusCode(200)
                    .header("RateLimit-Limit", "3")
                    .header("RateLimit-Remaining", String.valueOf(3 - i))
                    .header("RateLimit-Reset", matchesPattern("[1-5]"));
        }
        Response refused = given().header(TestKeys.bearer(key)).when().get(LIMITED);
        refused.then().statusCode(429)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(429))
                .header("RateLimit-Limit", "3")
                .header("RateLimit-Remaining", "0");
        for (String header : new String[] { "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" }) {
            assertEquals(1, refused.headers().getValues(header).size(), header + " once");
        }
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After is whole seconds within the window: " + retryAfter);
        assertEquals(String.valueOf(retryAfter), refused.header("RateLimit-Reset"));
        refused.then().body("error.message", equalTo("Rate limit exceeded. Try again in " + retryAfter + " seconds."));

        await().pollDelay(Duration.ofSeconds(retryAfter)).atMost(Duration.ofSeconds(retryAfter + 3))
                .until(() -> given().header(TestKeys.bearer(key)).when().get(LIMITED).statusCode() == 200);
    }

    @Test
    void eachKeyHasItsOwnBudget() {
        String first = UsedKeys.remember(TestKeys.read(pool));
        String second = UsedKeys.remember(TestKeys.read(pool));
        for (int i = 0; i < 3; i++) {
            given().header(TestKeys.bearer(first)).when().get(LIMITED).then().statusCode(200);
        }
        given().header(TestKeys.bearer(first)).when().get(LIMITED).then().statusCode(429);
        given().header(TestKeys.bearer(second)).when().get(LIMITED).then().statusCode(200);
    }

    @Test
    void keyOwnLimitReplacesTheLimitOfEveryClass() {
        String key = ApiKeys.generate();
        UsedKeys.remember(key);
        pool.preparedQuery("INSERT INTO registry.api_keys (key_id, name, prefix, key_hash, permissions, rate_limit)"
                + " VALUES ($1, 'slow', $2, $3, $4, 2)")
                .execute(Tuple.of(Ids.next("key_"), ApiKeys.prefix(key), ApiKeys.hash(key), new String[] { "read" }))
                .await().atMost(Duration.ofSeconds(5));
        for (int i = 0; i < 2; i++) {
            given().header(TestKeys.bearer(key)).when().get("/api/v1/test-access")
                    .then().statusCode(200).header("RateLimit-Limit", "2");
        }
        given().header(TestKeys.bearer(key)).when().get("/api/v1/test-access").then().statusCode(429);
        // the probe class allows 3, the key's own limit 2
        for (int i = 0; i < 2; i++) {
            given().header(TestKeys.bearer(key)).when().get(LIMITED).then().statusCode(200).header("RateLimit-Limit", "2");
        }
        given().header(TestKeys.bearer(key)).when().get(LIMITED).then().statusCode(429);
    }

    @Test
    void commandRoutesHaveTheCommandsLimitAndTheOthersTheDefault() {
        String key = UsedKeys.remember(TestKeys.write(pool));
        // Answered 404 (no such device), after the limit was counted: the class shows in the headers.
        for (String path : new String[] { "/api/v1/devices/nobody/commands", "/api/v1/devices/nobody/command" }) {
            given().header(TestKeys.bearer(key)).contentType(ContentType.JSON).body("{\"command\":\"reboot\"}")
                    .when().post(path).then().statusCode(404).header("RateLimit-Limit", "10");
        }
        given().header(TestKeys.bearer(key)).when().get("/api/v1/devices/nobody/commands")
                .then().statusCode(404).header("RateLimit-Limit", "1000");
        given().header(TestKeys.bearer(key)).when().get("/api/v1/devices/nobody")
                .then().statusCode(404).header("RateLimit-Limit", "1000");
    }

    @Test
    void spoofedForwardedForFromAnUntrustedPeerDoesNotResetTheBudget() {
        String open = "/api/v1/test-access/open-limited";
        // Start from a fresh window, so the three requests below cannot straddle two.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().when().get(open).header("RateLimit-Remaining").equals("2"));
        given().header("X-Forwarded-For", "203.0.113.1").when().get(open).then().statusCode(200);
        given().header("X-Forwarded-For", "203.0.113.2").when().get(open).then().statusCode(200);
        for (String spoofed : Arrays.asList("203.0.113.3", "198.51.100.7, 203.0.113.4", null)) {
            given().header("X-Forwarded-For", spoofed == null ? "" : spoofed).when().get(open)
                    .then().statusCode(429);
        }
    }

    @Test
    void healthIsNotLimited() {
        Response health = given().when().get("/api/v1/health");
        health.then().statusCode(200);
        assertEquals(null, health.header("RateLimit-Limit"));
    }

    @Test
    void unauthenticatedRequestsCountAgainstTheClientAddress() {
        String read = UsedKeys.remember(TestKeys.create(pool, Permission.READ, null));
        given().header(TestKeys.bearer(read)).when().get(LIMITED).then().statusCode(200).header("RateLimit-Limit", "3");
        given().when().get("/api/v1/test-access").then().statusCode(401).header("RateLimit-Limit", "1000");
    }
}
