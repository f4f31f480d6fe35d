package io.fleetline.commons.auth;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The audit trail of the service ({@code <schema>.audit_log}, created in every schema by
 * {@code db/commons}): who (key id), what, on what, when and with which outcome. Record a
 * success with the transaction's connection, so the row exists exactly when the change does;
 * record a refusal or failure with the pool.
 */
@ApplicationScoped
public class AuditLog {

    /** The change was made. */
    public static final String SUCCEEDED = "succeeded";
    /** The change was refused (not found, invalid, conflicting, not permitted). */
    public static final String FAILED = "failed";

    private final String table;

    AuditLog(@ConfigProperty(name = "fleetline.schema") String schema) {
        this.table = schema + ".audit_log";
    }

    /**
     * Writes one entry, for example {@code record(tx, caller.keyId(), "key.revoke", keyId,
     * SUCCEEDED, null)}; {@code detail} (may be null) never holds a secret.
     */
    public Uni<Void> record(SqlClient client, String actor, String action, String target, String outcome,
            JsonObject detail) {
        return client.preparedQuery("INSERT INTO " + table + " (actor, action, target, outcome, detail)"
                + " VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(actor, action, target, outcome, detail))
                .replaceWithVoid();
    }
}
