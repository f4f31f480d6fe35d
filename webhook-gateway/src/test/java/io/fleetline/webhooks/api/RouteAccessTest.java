package io.fleetline.webhooks.api;

import static io.fleetline.commons.auth.Permission.WRITE;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.AccessEnforced;
import io.fleetline.commons.testing.RouteAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Every route of the webhook gateway refuses a missing key and a read-only key; the inbound
 * receivers authenticate by signature instead (see InboundTest).
 */
@QuarkusTest
@TestProfile(AccessEnforced.class)
class RouteAccessTest {

    private static final String ENDPOINT = "/api/v1/webhooks/wh_nothing";

    @Inject
    Pool pool;

    @Test
    void endpointRoutes() {
        RouteAccess.requires(pool, WRITE, "POST", "/api/v1/webhooks", "{}");
        RouteAccess.requires(pool, WRITE, "GET", "/api/v1/webhooks", "");
        RouteAccess.requires(pool, WRITE, "GET", ENDPOINT, "");
        RouteAccess.requires(pool, WRITE, "PATCH", ENDPOINT, "{}");
        RouteAccess.requires(pool, WRITE, "DELETE", ENDPOINT, "");
        RouteAccess.requires(pool, WRITE, "POST", ENDPOINT + "/rotate-secret", "");
        RouteAccess.requires(pool, WRITE, "POST", ENDPOINT + "/test", "");
    }

    @Test
    void deliveryRoutes() {
        RouteAccess.requires(pool, WRITE, "GET", ENDPOINT + "/deliveries", "");
        RouteAccess.requires(pool, WRITE, "GET", ENDPOINT + "/deliveries/dlv_nothing", "");
        RouteAccess.requires(pool, WRITE, "POST", ENDPOINT + "/deliveries/dlv_nothing/redeliver", "");
    }
}
