package io.fleetline.commons.rules;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.fleetline.commons.events.Severity;
import io.vertx.mutiny.sqlclient.Row;

/** The one mapping between a {@code telemetry.rules} row and a {@link Rule}. */
public final class RuleRows {

    /** The columns {@link #from} reads, unqualified. */
    public static final String COLUMNS = "id, device_id, device_type, metric, operator, threshold, clear_threshold,"
            + " severity, duration_s, enabled, created_at, updated_at";

    private RuleRows() {
    }

    /** The rule in {@code row}, which holds {@link #COLUMNS}. */
    public static Rule from(Row row) {
        return new Rule(
                row.getString("id"),
                row.getString("device_id"),
                row.getString("device_type"),
                row.getString("metric"),
                Operator.fromSymbol(row.getString("operator")),
                row.getDouble("threshold"),
                row.getDouble("clear_threshold"),
                Severity.fromWire(row.getString("severity")),
                row.getInteger("duration_s"),
                row.getBoolean("enabled"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
