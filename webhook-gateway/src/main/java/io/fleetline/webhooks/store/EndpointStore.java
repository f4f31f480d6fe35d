package io.fleetline.webhooks.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.webhooks.domain.Endpoint;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Webhook endpoints in {@code webhooks.endpoints}. */
@ApplicationScoped
public class EndpointStore {

    private static final String COLUMNS = "id, url, events, min_severity, device_ids, format, description, enabled,"
            + " disabled_reason, created_at, updated_at";

    private final Pool pool;
    private final Outbox outbox;

    EndpointStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /** Stores a new endpoint with its secret. */
    public Uni<Endpoint> insert(Endpoint e, String secret) {
        return pool.preparedQuery("INSERT INTO webhooks.endpoints (id, url, events, min_severity, device_ids, format,"
                + " description, enabled, disabled_reason, secret) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                + " RETURNING " + COLUMNS)
                .execute(Tuple.tuple(Arrays.asList(e.id(), e.url(), array(e.events()), (short) e.minSeverity().ordinal(),
                        array(e.deviceIds()), e.format().wire(), e.description(), e.enabled(),
                        e.enabled() ? null : "disabled by user", secret)))
                .map(rows -> from(rows.iterator().next()));
    }

    /** Every endpoint, oldest first. */
    public Uni<List<Endpoint>> list() {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM webhooks.endpoints ORDER BY created_at, id")
                .execute()
                .map(rows -> {
                    List<Endpoint> list = new ArrayList<>();
                    rows.forEach(row -> list.add(from(row)));
                    return list;
                });
    }

    /** The endpoint {@code id}, or null. */
    public Uni<Endpoint> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM webhooks.endpoints WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? from(rows.iterator().next()) : null);
    }

    /**
     * Writes the mutable fields of {@code e}; enabling a disabled endpoint also forgets its failure
     * history and pause, so its pending deliveries resume at once. Null when it no longer exists.
     */
    public Uni<Endpoint> update(Endpoint e) {
        return pool.preparedQuery("UPDATE webhooks.endpoints SET url = $2, events = $3, min_severity = $4,"
                + " device_ids = $5, format = $6, description = $7, enabled = $8,"
                + " disabled_reason = CASE WHEN $8 THEN NULL WHEN enabled THEN 'disabled by user' ELSE disabled_reason END,"
                + " failing_since = CASE WHEN $8 AND NOT enabled THEN NULL ELSE failing_since END,"
                + " paused_until = CASE WHEN $8 AND NOT enabled THEN NULL ELSE paused_until END,"
                + " updated_at = now() WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.tuple(Arrays.asList(e.id(), e.url(), array(e.events()), (short) e.minSeverity().ordinal(),
                        array(e.deviceIds()), e.format().wire(), e.description(), e.enabled())))
                .map(rows -> rows.iterator().hasNext() ? from(rows.iterator().next()) : null);
    }

    /** Deletes the endpoint with its deliveries; false when it did not exist. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery("DELETE FROM webhooks.endpoints WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Replaces the secret; the old one keeps signing for {@code overlap}. False when the endpoint does not exist. */
    public Uni<Boolean> rotate(String id, String secret, Duration overlap) {
        return pool.preparedQuery("UPDATE webhooks.endpoints SET previous_secret = secret,"
                + " previous_secret_expires_at = now() + $3::bigint * interval '1 millisecond', secret = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, secret, overlap.toMillis()))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Disables an enabled endpoint and records a {@code webhook_disabled} event in the same
     * transaction; does nothing when it is already disabled.
     */
    public Uni<Boolean> disable(String id, String reason) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("UPDATE webhooks.endpoints SET enabled = false, disabled_reason = $2, updated_at = now()"
                        + " WHERE id = $1 AND enabled")
                .execute(Tuple.of(id, reason))
                .chain(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(false)
                        : outbox.append(tx, PlatformEvent.of(EventType.WEBHOOK_DISABLED, null, Severity.WARNING,
                                "Webhook " + id + " disabled: " + reason)
                                .withMetadata(Map.of("webhook_id", id, "reason", reason)))
                                .replaceWith(true)))
                .invoke(disabled -> {
                    if (disabled) {
                        outbox.relayNow();
                    }
                });
    }

    private static String[] array(List<String> values) {
        return values == null ? null : values.toArray(String[]::new);
    }

    private static Endpoint from(Row row) {
        String[] events = row.getArrayOfStrings("events");
        String[] devices = row.getArrayOfStrings("device_ids");
        return new Endpoint(row.getString("id"), row.getString("url"),
                events == null ? null : List.of(events),
                Severity.values()[row.getShort("min_severity")],
                devices == null ? null : List.of(devices),
                Endpoint.Format.fromWire(row.getString("format")),
                row.getString("description"), row.getBoolean("enabled"), row.getString("disabled_reason"),
                row.getOffsetDateTime("created_at").toInstant(), row.getOffsetDateTime("updated_at").toInstant());
    }
}
