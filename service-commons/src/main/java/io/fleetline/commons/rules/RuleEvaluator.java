package io.fleetline.commons.rules;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.readings.StoredReading;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Evaluates the alert rules of {@code telemetry.rules} against readings just stored, inside the
 * writer's transaction. The state lives in {@code telemetry.rule_state} and is locked row by row
 * ({@code INSERT ... ON CONFLICT DO UPDATE} takes the lock), so every writer and replica agrees
 * and each transition is emitted once. A batch costs one query when no rule applies and three
 * when some do, whatever its size.
 *
 * <p>The unit in {@code metadata.unit} of an event comes from the device's registry metadata:
 * {@code metadata.units.<metric>} when present, else {@code metadata.unit}.
 */
@ApplicationScoped
public class RuleEvaluator {

    private static final String APPLICABLE = "SELECT r.id, r.device_id, r.device_type, r.metric, r.operator,"
            + " r.threshold, r.clear_threshold, r.severity, r.duration_s, r.enabled, r.created_at, r.updated_at,"
            + " b.device_id AS target, d.name AS device_name, d.metadata AS device_metadata"
            + " FROM unnest($1::text[]) AS b(device_id)"
            + " LEFT JOIN registry.devices d ON d.device_id = b.device_id"
            + " JOIN telemetry.rules r ON r.enabled"
            + " AND (r.device_id = b.device_id OR (r.device_type IS NOT NULL AND r.device_type = d.type))";

    private static final String LOCK_STATE = "INSERT INTO telemetry.rule_state (rule_id, device_id)"
            + " SELECT * FROM unnest($1::text[], $2::text[])"
            + " ON CONFLICT (rule_id, device_id) DO UPDATE SET rule_id = EXCLUDED.rule_id"
            + " RETURNING rule_id, device_id, since, fired, last_ts";

    private static final String SAVE_STATE = "UPDATE telemetry.rule_state s"
            + " SET since = u.since, fired = u.fired, last_ts = u.last_ts, updated_at = now()"
            + " FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bool[], $5::timestamptz[])"
            + " AS u(rule_id, device_id, since, fired, last_ts)"
            + " WHERE s.rule_id = u.rule_id AND s.device_id = u.device_id";

    /** One rule applied to one device of the batch. */
    private record Target(Rule rule, String deviceId, String deviceName, JsonObject metadata) {

        String key() {
            return rule.id() + "\u0000" + deviceId;
        }
    }

    /**
     * The events the {@code stored} readings raise, with the rule state updated in {@code tx};
     * the caller appends them to its outbox in the same transaction.
     */
    public Uni<List<PlatformEvent>> evaluate(SqlConnection tx, List<StoredReading> stored) {
        if (stored.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, List<StoredReading>> byDevice = new HashMap<>();
        for (StoredReading reading : stored) {
            byDevice.computeIfAbsent(reading.deviceId(), id -> new ArrayList<>()).add(reading);
        }
        Comparator<StoredReading> deviceTime = Comparator.comparing(StoredReading::ts)
                .thenComparingLong(StoredReading::id);
        byDevice.values().forEach(readings -> readings.sort(deviceTime));
        return tx.preparedQuery(APPLICABLE)
                .execute(Tuple.of(byDevice.keySet().toArray(String[]::new)))
                .chain(rows -> {
                    // sorted by key so concurrent writers lock state rows in the same order
                    TreeMap<String, Target> targets = new TreeMap<>();
                    for (Row row : rows) {
                        Target target = new Target(RuleRows.from(row), row.getString("target"),
                                row.getString("device_name"), metadata(row.getValue("device_metadata")));
                        if (hasValue(byDevice.get(target.deviceId()), target.rule().metric())) {
                            targets.put(target.key(), target);
                        }
                    }
                    if (targets.isEmpty()) {
                        return Uni.createFrom().item(List.<PlatformEvent>of());
                    }
                    return transition(tx, targets, byDevice);
                });
    }

    private Uni<List<PlatformEvent>> transition(SqlConnection tx, TreeMap<String, Target> targets,
            Map<String, List<StoredReading>> byDevice) {
        String[] ruleIds = targets.values().stream().map(t -> t.rule().id()).toArray(String[]::new);
        String[] deviceIds = targets.values().stream().map(Target::deviceId).toArray(String[]::new);
        return tx.preparedQuery(LOCK_STATE).execute(Tuple.of(ruleIds, deviceIds)).chain(rows -> {
            Map<String, RuleState> states = new HashMap<>();
            for (Row row : rows) {
                states.put(row.getString("rule_id") + "\u0000" + row.getString("device_id"), new RuleState(
                        instant(row.getOffsetDateTime("since")), row.getBoolean("fired"),
                        instant(row.getOffsetDateTime("last_ts"))));
            }
            List<PlatformEvent> events = new ArrayList<>();
            int n = targets.size();
            OffsetDateTime[] since = new OffsetDateTime[n];
            Boolean[] fired = new Boolean[n];
            OffsetDateTime[] lastTs = new OffsetDateTime[n];
            int i = 0;
            for (Target target : targets.values()) {
                RuleState state = states.getOrDefault(target.key(), RuleState.INITIAL);
                for (StoredReading reading : byDevice.get(target.deviceId())) {
                    Object value = reading.payload().getValue(target.rule().metric());
                    if (!(value instanceof Number number)) {
                        continue;
                    }
                    RuleState.Step step = state.step(target.rule(), reading.ts(), number.doubleValue());
                    if (step.transition() != RuleState.Transition.NONE) {
                        events.add(event(target, step, reading.ts(), number.doubleValue()));
                    }
                    state = step.next();
                }
                since[i] = offset(state.since());
                fired[i] = state.fired();
                lastTs[i] = offset(state.lastTs());
                i++;
            }
            return tx.preparedQuery(SAVE_STATE)
                    .execute(Tuple.of(ruleIds, deviceIds, since, fired, lastTs))
                    .replaceWith(events);
        });
    }

    private static PlatformEvent event(Target target, RuleState.Step step, Instant ts, double value) {
        Rule rule = target.rule();
        boolean exceeded = step.transition() == RuleState.Transition.EXCEEDED;
        String message = exceeded
                ? rule.metric() + " " + value + " " + rule.operator().words() + " " + rule.threshold() + " for "
                        + step.durationS() + " s"
                : rule.metric() + " " + value + " no longer " + rule.operator().words() + " "
                        + (rule.clearThreshold() == null ? rule.threshold() : rule.clearThreshold()) + " after "
                        + step.durationS() + " s";
        Map<String, Object> metadata = new LinkedHashMap<>();
        String unit = unit(target.metadata(), rule.metric());
        if (unit != null) {
            metadata.put("unit", unit);
        }
        metadata.put("duration_above_s", step.durationS());
        metadata.put("duration_s", rule.durationS());
        if (rule.clearThreshold() != null) {
            metadata.put("clear_threshold", rule.clearThreshold());
        }
        return new PlatformEvent(exceeded ? EventType.THRESHOLD_EXCEEDED : EventType.THRESHOLD_CLEARED,
                Ids.event(), rule.id(), target.deviceId(), target.deviceName(), ts, rule.severity(),
                rule.condition(), value, rule.threshold(), message, metadata);
    }

    /** The unit of {@code metric}: {@code units.<metric>} of the device's metadata, else {@code unit}. */
    static String unit(JsonObject metadata, String metric) {
        if (metadata == null) {
            return null;
        }
        if (metadata.getValue("units") instanceof JsonObject units && units.getValue(metric) instanceof String unit) {
            return unit;
        }
        return metadata.getValue("unit") instanceof String unit ? unit : null;
    }

    private static boolean hasValue(List<StoredReading> readings, String metric) {
        for (StoredReading reading : readings) {
            if (reading.payload().getValue(metric) instanceof Number) {
                return true;
            }
        }
        return false;
    }

    private static JsonObject metadata(Object value) {
        return value instanceof JsonObject object ? object : null;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
