package io.fleetline.commons.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.events.Ids;
import io.restassured.http.Header;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * API keys for any service's tests, stored straight into {@code registry.api_keys} (the
 * registry module runs first in the reactor, so its migrations have created the table in
 * {@code fleetline_test}). Each call makes a fresh key, so tests never share a rate budget:
 * {@code given().header(TestKeys.bearer(TestKeys.write(pool)))}.
 */
public final class TestKeys {

    private TestKeys() {
    }

    /** A new admin key. */
    public static String admin(Pool pool) {
        return create(pool, Permission.ADMIN, null);
    }

    /** A new key with write (and read) permission. */
    public static String write(Pool pool) {
        return create(pool, Permission.WRITE, null);
    }

    /** A new read-only key. */
    public static String read(Pool pool) {
        return create(pool, Permission.READ, null);
    }

    /** A new key holding {@code permission}, limited to {@code deviceIds} (null: every device). */
    public static String create(Pool pool, Permission permission, List<String> deviceIds) {
        String key = ApiKeys.generate();
        String[] permissions = Arrays.stream(Permission.values())
                .filter(permission::grants).map(Permission::wire).toArray(String[]::new);
        pool.preparedQuery("INSERT INTO registry.api_keys (key_id, name, prefix, key_hash, permissions, device_ids)"
                + " VALUES ($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.from(Arrays.asList(Ids.next("key_"), "test " + permission.wire(), ApiKeys.prefix(key),
                        ApiKeys.hash(key), permissions, deviceIds == null ? null : deviceIds.toArray(String[]::new))))
                .await().atMost(Duration.ofSeconds(10));
        return key;
    }

    /** The key id stored for {@code key}. */
    public static String keyId(Pool pool, String key) {
        return pool.preparedQuery("SELECT key_id FROM registry.api_keys WHERE key_hash = $1")
                .execute(Tuple.of(ApiKeys.hash(key)))
                .await().atMost(Duration.ofSeconds(10))
                .iterator().next().getString(0);
    }

    /** {@code Authorization: Bearer <key>}, for rest-assured's {@code header(...)}. */
    public static Header bearer(String key) {
        return new Header("Authorization", "Bearer " + key);
    }

    /** {@code X-API-Key: <key>}. */
    public static Header apiKey(String key) {
        return new Header("X-API-Key", key);
    }
}
