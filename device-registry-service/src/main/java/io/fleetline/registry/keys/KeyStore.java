package io.fleetline.registry.keys;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.auth.AuditLog;
import io.fleetline.commons.auth.KeyCache;
import io.fleetline.commons.events.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The key table ({@code registry.api_keys}). Every change is audited in its transaction and
 * ends with {@code NOTIFY fleetline_api_keys}, which PostgreSQL delivers at commit, so every
 * service's {@link KeyCache} drops what it cached before the change is visible to anyone.
 */
@ApplicationScoped
public class KeyStore {

    private static final String COLUMNS = "key_id, name, prefix, permissions, device_ids, rate_limit, created_at,"
            + " expires_at, last_used_at, revoked_at, rotated_to";

    private final Pool pool;
    private final AuditLog audit;

    KeyStore(Pool pool, AuditLog audit) {
        this.pool = pool;
        this.audit = audit;
    }

    /** Creates a key for {@code request} on behalf of {@code actor}. */
    public Uni<IssuedKey> create(NewKey request, String actor) {
        String key = ApiKeys.generate();
        return pool.withTransaction(tx -> insert(tx, Ids.next("key_"), key, request)
                .call(issued -> audit.record(tx, actor, "key.create", issued.keyId(), AuditLog.SUCCEEDED,
                        new JsonObject().put("name", issued.name()).put("permissions", issued.permissions())))
                .call(issued -> notifyChange(tx)));
    }

    /** Every key, newest first. */
    public Uni<List<KeyView>> list() {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM registry.api_keys ORDER BY created_at DESC, key_id DESC")
                .execute()
                .map(rows -> {
                    List<KeyView> keys = new ArrayList<>();
                    rows.forEach(row -> keys.add(from(row)));
                    return keys;
                });
    }

    /**
     * Revokes {@code keyId}; revoking a revoked key changes nothing. The last working admin key
     * cannot be revoked, so the platform is never left without an administrator.
     */
    public Uni<Void> revoke(String keyId, String actor) {
        return pool.withTransaction(tx -> lockActive(tx, keyId)
                .chain(found -> {
                    if (found == null) {
                        return tx.preparedQuery("SELECT 1 FROM registry.api_keys WHERE key_id = $1")
                                .execute(Tuple.of(keyId))
                                .invoke(rows -> {
                                    if (rows.size() == 0) {
                                        throw ApiException.notFound("Key '" + keyId + "' not found.");
                                    }
                                })
                                .replaceWithVoid();
                    }
                    return refuseLastAdmin(tx, found)
                            .chain(() -> tx.preparedQuery("UPDATE registry.api_keys SET revoked_at = now() WHERE key_id = $1")
                                    .execute(Tuple.of(keyId)))
                            .chain(() -> audit.record(tx, actor, "key.revoke", keyId, AuditLog.SUCCEEDED, null))
                            .chain(() -> notifyChange(tx));
                }));
    }

    /**
     * Issues a successor of {@code keyId} with the same name, permissions, scope, limit and
     * expiry; the old key keeps working for {@code graceSeconds} (never longer than it would have).
     */
    public Uni<IssuedKey> rotate(String keyId, long graceSeconds, String actor) {
        String key = ApiKeys.generate();
        String newId = Ids.next("key_");
        return pool.withTransaction(tx -> lockActive(tx, keyId)
                .onItem().ifNull().failWith(() -> ApiException.notFound("Key '" + keyId + "' not found."))
                .chain(old -> insert(tx, newId, key, new NewKey(old.name(), old.permissions(), old.expiresAt(),
                        old.deviceIds(), old.rateLimit()))
                        .call(() -> tx.preparedQuery("UPDATE registry.api_keys SET rotated_to = $2,"
                                + " expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => $3))"
                                + " WHERE key_id = $1")
                                .execute(Tuple.of(keyId, newId, (double) graceSeconds)))
                        .call(issued -> audit.record(tx, actor, "key.rotate", keyId, AuditLog.SUCCEEDED,
                                new JsonObject().put("successor", newId).put("grace_s", graceSeconds)))
                        .call(() -> notifyChange(tx))));
    }

    /** Records a refused change (not found, invalid, conflicting) outside any transaction. */
    public Uni<Void> auditFailure(String actor, String action, String target, String reason) {
        return audit.record(pool, actor, action, target, AuditLog.FAILED, new JsonObject().put("reason", reason));
    }

    /** Whether a working admin key exists. */
    public Uni<Boolean> hasActiveAdmin(SqlConnection tx) {
        return tx.preparedQuery("SELECT count(*) FROM registry.api_keys WHERE 'admin' = ANY(permissions)"
                + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())")
                .execute()
                .map(rows -> rows.iterator().next().getLong(0) > 0);
    }

    /** Stores {@code key} (as its hash) under {@code keyId}. */
    Uni<IssuedKey> insert(SqlConnection tx, String keyId, String key, NewKey request) {
        return tx.preparedQuery("INSERT INTO registry.api_keys (key_id, name, prefix, key_hash, permissions, device_ids,"
                + " rate_limit, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at")
                .execute(Tuple.from(Arrays.asList(keyId, request.name(), ApiKeys.prefix(key), ApiKeys.hash(key),
                        request.permissions().toArray(String[]::new),
                        request.deviceIds() == null ? null : request.deviceIds().toArray(String[]::new),
                        request.rateLimit(),
                        request.expiresAt() == null ? null : request.expiresAt().atOffset(ZoneOffset.UTC))))
                .map(rows -> new IssuedKey(keyId, key, request.name(), ApiKeys.prefix(key), request.permissions(),
                        request.deviceIds(), request.rateLimit(), rows.iterator().next().getOffsetDateTime(0).toInstant(),
                        request.expiresAt()));
    }

    private Uni<NewKey> lockActive(SqlConnection tx, String keyId) {
        return tx.preparedQuery("SELECT name, permissions, device_ids, rate_limit, expires_at FROM registry.api_keys"
                + " WHERE key_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE")
                .execute(Tuple.of(keyId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    OffsetDateTime expires = row.getOffsetDateTime("expires_at");
                    return new NewKey(row.getString("name"), List.of(row.getArrayOfStrings("permissions")),
                            expires == null ? null : expires.toInstant(),
                            row.getArrayOfStrings("device_ids") == null ? null : List.of(row.getArrayOfStrings("device_ids")),
                            row.getInteger("rate_limit"));
                });
    }

    private Uni<Void> refuseLastAdmin(SqlConnection tx, NewKey key) {
        if (!key.permissions().contains("admin")) {
            return Uni.createFrom().voidItem();
        }
        // Serialises concurrent revocations of the last two admin keys.
        return tx.query("SELECT pg_advisory_xact_lock(hashtext('fleetline_admin_keys'))").execute()
                .chain(() -> tx.preparedQuery("SELECT count(*) FROM registry.api_keys WHERE 'admin' = ANY(permissions)"
                        + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())").execute())
                .invoke(rows -> {
                    if (rows.iterator().next().getLong(0) <= 1) {
                        throw ApiException.conflict("This is the last working admin key; create another admin key before revoking it.");
                    }
                })
                .replaceWithVoid();
    }

    private static Uni<Void> notifyChange(SqlConnection tx) {
        return tx.query("NOTIFY " + KeyCache.CHANNEL).execute().replaceWithVoid();
    }

    private static KeyView from(Row row) {
        return new KeyView(
                row.getString("key_id"),
                row.getString("name"),
                row.getString("prefix") + "…",
                List.of(row.getArrayOfStrings("permissions")),
                row.getArrayOfStrings("device_ids") == null ? null : List.of(row.getArrayOfStrings("device_ids")),
                row.getInteger("rate_limit"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("expires_at")),
                instant(row.getOffsetDateTime("last_used_at")),
                row.getValue("revoked_at") != null,
                row.getString("rotated_to"));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
