package io.fleetline.telemetry.api;

import static io.fleetline.commons.auth.Permission.READ;
import static io.fleetline.commons.auth.Permission.WRITE;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.AccessEnforced;
import io.fleetline.commons.testing.RouteAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/** Every route of the telemetry service refuses a missing key and a key without the route's permission. */
@QuarkusTest
@TestProfile(AccessEnforced.class)
class RouteAccessTest {

    private static final String DATA = "/api/v1/devices/access-nobody/data";

    @Inject
    Pool pool;

    @Test
    void ingestRoutes() {
        RouteAccess.requires(pool, WRITE, "POST", DATA, "{\"temperature\":1}");
        RouteAccess.requires(pool, WRITE, "POST", "/api/v1/ingest", "{}");
        RouteAccess.requires(pool, WRITE, "POST", "/api/devices/ingest", "{}");
    }

    @Test
    void queryRoutes() {
        RouteAccess.requires(pool, READ, "GET", DATA, "");
        RouteAccess.requires(pool, READ, "GET", DATA + "/export", "");
        RouteAccess.requires(pool, READ, "GET", DATA + "/aggregate", "");
    }

    @Test
    void ruleRoutes() {
        RouteAccess.requires(pool, WRITE, "POST", "/api/v1/rules", "{}");
        RouteAccess.requires(pool, READ, "GET", "/api/v1/rules", "");
        RouteAccess.requires(pool, READ, "GET", "/api/v1/rules/rule_nothing", "");
        RouteAccess.requires(pool, WRITE, "PATCH", "/api/v1/rules/rule_nothing", "{}");
        RouteAccess.requires(pool, WRITE, "DELETE", "/api/v1/rules/rule_nothing", "");
    }
}
