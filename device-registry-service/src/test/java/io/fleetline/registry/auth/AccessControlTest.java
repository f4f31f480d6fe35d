package io.fleetline.registry.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.auth.KeyCache;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

@QuarkusTest
@TestProfile(AccessProfile.class)
class AccessControlTest {

    private static final String PROBE = "/api/v1/test-access";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @AfterAll
    static void noKeyReachedTheLog() throws Exception {
        UsedKeys.assertAbsentFromLog();
    }

    @Test
    void requestWithoutKeyAnswers401WithTheExactMessage() {
        given().when().get(PROBE)
                .then().statusCode(401)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(401))
                .body("error.message", equalTo("Missing API key. Use Authorization: Bearer <key> or X-API-Key header."));
    }

    @Test
    void unknownOrMalformedKeyAnswers401() {
        String unknown = UsedKeys.remember(ApiKeys.generate());
        given().header(TestKeys.bearer(unknown)).when().get(PROBE)
                .then().statusCode(401).body("error.message", equalTo("Invalid API key."));
        given().header("X-API-Key", "swk_short").when().get(PROBE)
                .then().statusCode(401).body("error.message", equalTo("Invalid API key."));
    }

    @Test
    void readKeyOnAWriteRouteAnswers403() {
        String read = key(Permission.READ);
        given().header(TestKeys.bearer(read)).when().get(PROBE).then().statusCode(200);
        given().header(TestKeys.bearer(read)).when().post(PROBE)
                .then().statusCode(403)
                .body("error.code", equalTo(403))
                .body("error.message", equalTo("Key does not have 'write' permission."));
    }

    @Test
    void writeKeyOnAnAdminRouteAnswers403() {
        String write = key(Permission.WRITE);
        given().header(TestKeys.apiKey(write)).when().post(PROBE).then().statusCode(200);
        given().header(TestKeys.apiKey(write)).when().get("/api/v1/keys")
                .then().statusCode(403)
                .body("error.message", equalTo("Key does not have 'admin' permission."));
    }

    @Test
    void adminKeyReachesEveryRoute() {
        String admin = key(Permission.ADMIN);
        String keyId = TestKeys.keyId(pool, admin);
        for (String method : List.of("GET", "POST", "DELETE")) {
            given().header(TestKeys.bearer(admin)).when().request(method, PROBE)
                    .then().statusCode(200).body("data", equalTo(keyId));
        }
    }

    @Test
    void routeUnderApiWithoutRequiresNeedsAdmin() {
        given().header(TestKeys.bearer(key(Permission.WRITE))).when().get(PROBE + "/undeclared")
                .then().statusCode(403).body("error.message", equalTo("Key does not have 'admin' permission."));
        given().header(TestKeys.bearer(key(Permission.ADMIN))).when().get(PROBE + "/undeclared")
                .then().statusCode(200);
    }

    @Test
    void healthStaysOpen() {
        given().when().get("/api/v1/health").then().statusCode(200).body("status", equalTo("ok"));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void keyInTheQueryStringAnswers400() {
        String admin = key(Permission.ADMIN);
        given().queryParam("api_key", admin).when().get(PROBE)
                .then().statusCode(400)
                .body("error.message", equalTo(
                        "API keys are not accepted in the query string. Use Authorization: Bearer <key> or X-API-Key header."));
        given().header(TestKeys.bearer(admin)).queryParam("q", admin).when().get(PROBE).then().statusCode(400);
    }

    @Test
    void createdKeyIsShownOnceAndStoredOnlyAsItsHash() {
        String admin = key(Permission.ADMIN);
        ValidatableResponse created = given().header(TestKeys.bearer(admin)).contentType("application/json")
                .body(Map.of("name", "ingest gateway", "permissions", List.of("write"), "device_ids", List.of("esp32-7")))
                .when().post("/api/v1/keys")
                .then().statusCode(201)
                .body("data.key", startsWith("swk_"))
                .body("data.permissions", equalTo(List.of("read", "write")))
                .body("data.device_ids", equalTo(List.of("esp32-7")));
        String key = UsedKeys.remember(created.extract().path("data.key"));
        String keyId = created.extract().path("data.key_id");
        assertEquals(52, key.length());

        Row row = Db.one(pool, "SELECT key_hash, prefix FROM registry.api_keys WHERE key_id = $1", keyId);
        assertEquals(ApiKeys.hash(key), row.getString("key_hash"));
        assertEquals(key.substring(0, 8), row.getString("prefix"));

        given().header(TestKeys.bearer(admin)).when().get("/api/v1/keys")
                .then().statusCode(200)
                .body("data.key_id", hasItem(keyId))
                .body("data.find { it.key_id == '" + keyId + "' }", not(hasKey("key")))
                .body("data.find { it.key_id == '" + keyId + "' }", not(hasKey("key_hash")))
                .body("data.find { it.key_id == '" + keyId + "' }.prefix", equalTo(key.substring(0, 8) + "…"))
                .body("data.find { it.key_id == '" + keyId + "' }.revoked", equalTo(false));
        given().header(TestKeys.bearer(key)).when().post(PROBE).then().statusCode(200);
    }

    @Test
    void invalidKeyRequestNamesTheFieldAndStoresNothing() {
        String admin = key(Permission.ADMIN);
        long before = Db.count(pool, "SELECT count(*) FROM registry.api_keys WHERE name = 'bad'");
        given().header(TestKeys.bearer(admin)).contentType("application/json")
                .body(Map.of("name", "bad", "permissions", List.of("superuser")))
                .when().post("/api/v1/keys")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'permissions' must be a non-empty array of 'read', 'write', 'admin'."));
        given().header(TestKeys.bearer(admin)).contentType("application/json")
                .body(Map.of("name", "bad", "permissions", List.of("read"), "expires_at", "2001-01-01T00:00:00Z"))
                .when().post("/api/v1/keys")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'expires_at' must be in the future."));
        assertEquals(before, Db.count(pool, "SELECT count(*) FROM registry.api_keys WHERE name = 'bad'"));
    }

    @Test
    void deviceScopedKeySeesOnlyItsDevices() {
        String scoped = UsedKeys.remember(TestKeys.create(pool, Permission.READ, List.of("esp32-own")));
        given().header(TestKeys.bearer(scoped)).when().get(PROBE + "/devices/esp32-own").then().statusCode(200);
        given().header(TestKeys.bearer(scoped)).when().get(PROBE + "/devices/esp32-other")
                .then().statusCode(404).body("error.message", equalTo("Device 'esp32-other' not found."));
    }

    @Test
    void revokedKeyIsRefusedWithinOneSecondAndEveryServiceIsNotified() {
        String admin = key(Permission.ADMIN);
        String victim = key(Permission.READ);
        String victimId = TestKeys.keyId(pool, victim);
        // Cached now: the next success would come from memory, not from the table.
        given().header(TestKeys.bearer(victim)).when().get(PROBE).then().statusCode(200);
        given().header(TestKeys.bearer(victim)).when().get(PROBE).then().statusCode(200);

        List<String> notices = new CopyOnWriteArrayList<>();
        PgSubscriber other = otherServiceListening(notices);
        try {
            given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/" + victimId).then().statusCode(204);
            await().atMost(Duration.ofSeconds(1)).until(() -> !notices.isEmpty());
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                    .until(() -> given().header(TestKeys.bearer(victim)).when().get(PROBE).statusCode() == 401);
        } finally {
            other.closeAndAwait();
        }
        given().header(TestKeys.bearer(victim)).when().get(PROBE)
                .then().statusCode(401).body("error.message", equalTo("API key has been revoked."));
        given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/key_NOPE")
                .then().statusCode(404).body("error.message", equalTo("Key 'key_NOPE' not found."));
    }

    @Test
    void keyRevokedInTheTableByAnotherReplicaIsRefusedWithinOneSecond() {
        String victim = key(Permission.READ);
        given().header(TestKeys.bearer(victim)).when().get(PROBE).then().statusCode(200);
        // What another registry replica does: its own transaction, its own notification.
        pool.withTransaction(tx -> tx.preparedQuery("UPDATE registry.api_keys SET revoked_at = now() WHERE key_hash = $1")
                .execute(Tuple.of(ApiKeys.hash(victim)))
                .chain(() -> tx.query("NOTIFY " + KeyCache.CHANNEL).execute()))
                .await().atMost(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().header(TestKeys.bearer(victim)).when().get(PROBE).statusCode() == 401);
    }

    @Test
    void rotatedKeyWorksDuringTheGraceAndIsRefusedAfterIt() {
        String admin = key(Permission.ADMIN);
        String old = key(Permission.WRITE);
        String oldId = TestKeys.keyId(pool, old);
        io.restassured.response.Response response = given().header(TestKeys.bearer(admin))
                .contentType("application/json").body(Map.of("grace_s", 10))
                .when().post("/api/v1/keys/" + oldId + "/rotate");
        // Checked before anything slow (JSON path parsing) so it falls well inside the grace.
        given().header(TestKeys.bearer(old)).when().post(PROBE).then().statusCode(200);
        ValidatableResponse rotated = response.then().statusCode(201)
                .body("data.permissions", equalTo(List.of("read", "write")));
        String fresh = UsedKeys.remember(rotated.extract().path("data.key"));

        given().header(TestKeys.bearer(fresh)).when().post(PROBE).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().header(TestKeys.bearer(old)).when().post(PROBE).statusCode() == 401);
        given().header(TestKeys.bearer(old)).when().post(PROBE)
                .then().body("error.message", equalTo("API key has expired."));
        given().header(TestKeys.bearer(fresh)).when().post(PROBE).then().statusCode(200);
        assertEquals(rotated.extract().<String>path("data.key_id"),
                Db.one(pool, "SELECT rotated_to FROM registry.api_keys WHERE key_id = $1", oldId).getString(0));
    }

    @Test
    void keyChangesAreAuditedWithActorAndOutcome() {
        String admin = key(Permission.ADMIN);
        String adminId = TestKeys.keyId(pool, admin);
        String created = given().header(TestKeys.bearer(admin)).contentType("application/json")
                .body(Map.of("name", "audited", "permissions", List.of("read")))
                .when().post("/api/v1/keys").then().statusCode(201).extract().path("data.key_id");
        given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/" + created).then().statusCode(204);
        given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/key_MISSING").then().statusCode(404);

        given().header(TestKeys.bearer(admin)).queryParam("actor", adminId).when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("count", equalTo(3))
                .body("data.action", equalTo(List.of("key.revoke", "key.revoke", "key.create")))
                .body("data.outcome", equalTo(List.of("failed", "succeeded", "succeeded")))
                .body("data[1].target", equalTo(created))
                .body("data[0].target", equalTo("key_MISSING"));
        given().header(TestKeys.bearer(admin)).queryParam("since", "yesterday").when().get("/api/v1/audit")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'since' must be an RFC 3339 timestamp with an offset, or epoch milliseconds."));
        given().header(TestKeys.bearer(key(Permission.WRITE))).when().get("/api/v1/audit").then().statusCode(403);
    }

    @Test
    void auditPagingNamesTheFieldAndATooLargeLimitIsClamped() {
        String admin = key(Permission.ADMIN);
        String adminId = TestKeys.keyId(pool, admin);
        for (String missing : List.of("key_MISSING_1", "key_MISSING_2", "key_MISSING_3")) {
            given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/" + missing).then().statusCode(404);
        }
        given().header(TestKeys.bearer(admin)).queryParam("limit", "abc").when().get("/api/v1/audit")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", equalTo("Field 'limit' must be an integer of 1 or more; above 1000 it is clamped to 1000."));
        given().header(TestKeys.bearer(admin)).queryParam("offset", "-1").when().get("/api/v1/audit")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Field 'offset' must be an integer of 0 or more."));
        given().header(TestKeys.bearer(admin)).queryParam("actor", adminId).queryParam("limit", 5000)
                .when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("count", equalTo(3))
                .body("pagination.limit", equalTo(1000))
                .body("pagination.total", equalTo(3))
                .body("message", equalTo("limit 5000 is above the maximum; clamped to 1000."));
        given().header(TestKeys.bearer(admin)).queryParam("actor", adminId).queryParam("offset", 1).queryParam("limit", 1)
                .when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("data.target", equalTo(List.of("key_MISSING_2")))
                .body("pagination.offset", equalTo(1))
                .body("pagination.has_more", equalTo(true))
                .body("message", nullValue());
        assertEquals(3L, Db.one(pool, "SELECT count(*) FROM registry.audit_log WHERE actor = $1", adminId).getLong(0));
    }

    @Test
    void keyUseIsRecordedInLastUsedAt() {
        String read = key(Permission.READ);
        String keyId = TestKeys.keyId(pool, read);
        assertEquals(null, Db.one(pool, "SELECT last_used_at FROM registry.api_keys WHERE key_id = $1", keyId).getValue(0));
        given().header(TestKeys.bearer(read)).when().get(PROBE).then().statusCode(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Db.one(pool, "SELECT last_used_at FROM registry.api_keys WHERE key_id = $1", keyId)
                        .getValue(0) != null);
        assertNotNull(Db.one(pool, "SELECT last_used_at FROM registry.api_keys WHERE key_id = $1", keyId).getValue(0));
    }

    private String key(Permission permission) {
        return UsedKeys.remember(TestKeys.create(pool, permission, null));
    }

    /** A LISTEN connection of its own, as another service's key cache holds. */
    private PgSubscriber otherServiceListening(List<String> notices) {
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions()
                .setHost("127.0.0.1").setPort(5432).setDatabase("fleetline_test").setUser("postgres"));
        java.util.concurrent.atomic.AtomicBoolean listening = new java.util.concurrent.atomic.AtomicBoolean();
        subscriber.channel(KeyCache.CHANNEL).subscribeHandler(() -> listening.set(true)).handler(notices::add);
        subscriber.connectAndAwait();
        await().atMost(Duration.ofSeconds(5)).untilTrue(listening);
        return subscriber;
    }
}
