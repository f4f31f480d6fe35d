package io.fleetline.registry.auth;

import static io.fleetline.commons.auth.Permission.ADMIN;
import static io.fleetline.commons.auth.Permission.READ;
import static io.fleetline.commons.auth.Permission.WRITE;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.AccessEnforced;
import io.fleetline.commons.testing.RouteAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/** Every route of the registry refuses a missing key and a key without the route's permission. */
@QuarkusTest
@TestProfile(AccessEnforced.class)
class RouteAccessTest {

    private static final String DEVICE = "/api/v1/devices/access-nobody";

    @Inject
    Pool pool;

    @Test
    void deviceRoutes() {
        RouteAccess.requires(pool, READ, "GET", "/api/v1/devices", "");
        RouteAccess.requires(pool, WRITE, "POST", "/api/v1/devices", "{}");
        RouteAccess.requires(pool, READ, "GET", DEVICE, "");
        RouteAccess.requires(pool, WRITE, "PATCH", DEVICE, "{}");
        RouteAccess.requires(pool, ADMIN, "DELETE", DEVICE, "");
        RouteAccess.requires(pool, READ, "GET", DEVICE + "/shadow", "");
        RouteAccess.requires(pool, ADMIN, "POST", DEVICE + "/credentials/rotate", "");
    }

    @Test
    void configAndCommandRoutes() {
        RouteAccess.requires(pool, READ, "GET", DEVICE + "/config", "");
        RouteAccess.requires(pool, WRITE, "PUT", DEVICE + "/config", "{}");
        RouteAccess.requires(pool, WRITE, "PATCH", DEVICE + "/config", "application/merge-patch+json", "{}");
        RouteAccess.requires(pool, READ, "GET", DEVICE + "/commands", "");
        RouteAccess.requires(pool, WRITE, "POST", DEVICE + "/commands", "{}");
        RouteAccess.requires(pool, WRITE, "POST", DEVICE + "/command", "{}");
        RouteAccess.requires(pool, READ, "GET", DEVICE + "/commands/cmd_nothing", "");
    }

    @Test
    void keyAuditAndTokenRoutes() {
        RouteAccess.requires(pool, ADMIN, "POST", "/api/v1/keys", "{}");
        RouteAccess.requires(pool, ADMIN, "GET", "/api/v1/keys", "");
        RouteAccess.requires(pool, ADMIN, "DELETE", "/api/v1/keys/key_nothing", "");
        RouteAccess.requires(pool, ADMIN, "POST", "/api/v1/keys/key_nothing/rotate", "{}");
        RouteAccess.requires(pool, ADMIN, "GET", "/api/v1/audit", "");
        RouteAccess.requires(pool, READ, "POST", "/api/v1/auth/token", "{}");
    }
}
