package io.fleetline.commons.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import io.fleetline.commons.auth.Permission;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Checks one route of a service running with {@link AccessEnforced}: refused without a key (401),
 * refused with a key one permission short (403), admitted with a key holding the permission.
 */
public final class RouteAccess {

    private RouteAccess() {
    }

    /** Asserts that {@code method path} (with a JSON {@code body}) requires exactly {@code required}. */
    public static void requires(Pool pool, Permission required, String method, String path, String body) {
        requires(pool, required, method, path, "application/json", body);
    }

    /** As above, with a body of {@code contentType}. */
    public static void requires(Pool pool, Permission required, String method, String path, String contentType,
            String body) {
        given().contentType(contentType).body(body).when().request(method, path)
                .then().statusCode(401)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Missing API key. Use Authorization: Bearer <key> or X-API-Key header."));
        given().header(TestKeys.bearer("swk_" + "0".repeat(48))).contentType(contentType).body(body)
                .when().request(method, path)
                .then().statusCode(401).body("error.message", equalTo("Invalid API key."));
        if (required != Permission.READ) {
            Permission shorter = required == Permission.ADMIN ? Permission.WRITE : Permission.READ;
            given().header(TestKeys.bearer(TestKeys.create(pool, shorter, null))).contentType(contentType).body(body)
                    .when().request(method, path)
                    .then().statusCode(403)
                    .body("error.message", equalTo("Key does not have '" + required.wire() + "' permission."));
        }
        given().header(TestKeys.bearer(TestKeys.create(pool, required, null))).contentType(contentType).body(body)
                .when().request(method, path)
                .then().statusCode(not(oneOf(401, 403)));
    }
}
