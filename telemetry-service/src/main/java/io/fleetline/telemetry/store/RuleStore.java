package io.fleetline.telemetry.store;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.rules.Rule;
import io.fleetline.commons.rules.RuleRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL of {@code telemetry.rules}; deleting or redefining a rule also forgets its state. */
@ApplicationScoped
public class RuleStore {

    private final Pool pool;

    RuleStore(Pool pool) {
        this.pool = pool;
    }

    /** One page of rules, oldest first, optionally only those of one device or type. */
    public Uni<List<Rule>> list(String deviceId, String deviceType, long offset, int limit) {
        return pool.preparedQuery("SELECT " + RuleRows.COLUMNS + " FROM telemetry.rules"
                + " WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR device_type = $2)"
                + " ORDER BY created_at, id OFFSET $3 LIMIT $4")
                .execute(Tuple.of(deviceId, deviceType, offset, limit))
                .map(RuleStore::rules);
    }

    /** How many rules {@link #list} pages through. */
    public Uni<Long> count(String deviceId, String deviceType) {
        return pool.preparedQuery("SELECT count(*) FROM telemetry.rules"
                + " WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR device_type = $2)")
                .execute(Tuple.of(deviceId, deviceType))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The rule, or null. */
    public Uni<Rule> find(String id) {
        return pool.preparedQuery("SELECT " + RuleRows.COLUMNS + " FROM telemetry.rules WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? RuleRows.from(rows.iterator().next()) : null);
    }

    /** Whether {@code deviceId} is registered. */
    public Uni<Boolean> deviceExists(String deviceId) {
        return pool.preparedQuery("SELECT 1 FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.iterator().hasNext());
    }

    /** Stores a new rule. */
    public Uni<Rule> insert(Rule rule) {
        return pool.preparedQuery("INSERT INTO telemetry.rules (id, device_id, device_type, metric, operator,"
                + " threshold, clear_threshold, severity, duration_s, enabled, created_at, updated_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING " + RuleRows.COLUMNS)
                .execute(Tuple.from(new Object[] { rule.id(), rule.deviceId(), rule.deviceType(), rule.metric(),
                        rule.operator().symbol(), rule.threshold(), rule.clearThreshold(), rule.severity().wire(),
                        rule.durationS(), rule.enabled(), rule.createdAt().atOffset(ZoneOffset.UTC) }))
                .map(rows -> RuleRows.from(rows.iterator().next()));
    }

    /**
     * Applies {@code change} to the rule under a row lock and stores the result; when
     * {@code resets} says so for (before, after), the rule's per-device state is forgotten too.
     * Null when the rule does not exist.
     */
    public Uni<Rule> update(String id, Function<Rule, Rule> change, java.util.function.BiPredicate<Rule, Rule> resets) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT " + RuleRows.COLUMNS + " FROM telemetry.rules WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    Rule before = RuleRows.from(rows.iterator().next());
                    Rule after = change.apply(before);
                    Uni<Void> reset = resets.test(before, after) ? forgetState(tx, id) : Uni.createFrom().voidItem();
                    return reset.chain(() -> tx.preparedQuery("UPDATE telemetry.rules SET device_id = $2,"
                            + " device_type = $3, metric = $4, operator = $5, threshold = $6, clear_threshold = $7,"
                            + " severity = $8, duration_s = $9, enabled = $10, updated_at = $11 WHERE id = $1"
                            + " RETURNING " + RuleRows.COLUMNS)
                            .execute(Tuple.from(new Object[] { id, after.deviceId(), after.deviceType(),
                                    after.metric(), after.operator().symbol(), after.threshold(),
                                    after.clearThreshold(), after.severity().wire(), after.durationS(),
                                    after.enabled(), after.updatedAt().atOffset(ZoneOffset.UTC) }))
                            .map(updated -> RuleRows.from(updated.iterator().next())));
                }));
    }

    /** Deletes the rule and its state; whether it existed. */
    public Uni<Boolean> delete(String id) {
        return pool.withTransaction(tx -> forgetState(tx, id)
                .chain(() -> tx.preparedQuery("DELETE FROM telemetry.rules WHERE id = $1").execute(Tuple.of(id)))
                .map(rows -> rows.rowCount() > 0));
    }

    private static Uni<Void> forgetState(SqlConnection tx, String ruleId) {
        return tx.preparedQuery("DELETE FROM telemetry.rule_state WHERE rule_id = $1")
                .execute(Tuple.of(ruleId))
                .replaceWithVoid();
    }

    private static List<Rule> rules(RowSet<Row> rows) {
        List<Rule> rules = new ArrayList<>();
        for (Row row : rows) {
            rules.add(RuleRows.from(row));
        }
        return rules;
    }
}
