package io.fleetline.registry.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.domain.Command;
import io.fleetline.registry.domain.CommandRules.Ack;
import io.fleetline.registry.domain.CommandStatus;
import io.fleetline.registry.domain.NewCommand;
import io.fleetline.registry.store.DeviceStore.Page;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code registry.commands}: creation, transitions and expiry. Every transition emits
 * {@code command_status_changed} through the outbox in the transaction that made it.
 */
@ApplicationScoped
public class CommandStore {

    private static final String COLUMNS = "command_id, device_id, command, params::text AS params, status, ttl_s,"
            + " created_at, expires_at, sent_at, delivered_at, completed_at, expired_at, result::text AS result";

    private final Pool pool;
    private final Outbox outbox;
    private final DeviceMessages messages;
    private final JsonColumns json;

    CommandStore(Pool pool, Outbox outbox, DeviceMessages messages, JsonColumns json) {
        this.pool = pool;
        this.outbox = outbox;
        this.messages = messages;
        this.json = json;
    }

    /**
     * Stores the command as {@code pending} (404 when the device is unknown) and, when the device is
     * online, queues it for sending at once.
     */
    public Uni<Command> create(String deviceId, NewCommand request) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("INSERT INTO registry.commands (command_id, device_id, command, params, ttl_s, expires_at)"
                        + " SELECT $1, device_id, $2, $3::text::jsonb, $4::int, now() + $4::int * interval '1 second'"
                        + " FROM registry.devices WHERE device_id = $5 RETURNING " + COLUMNS)
                .execute(Tuple.of(Ids.next("cmd_"), request.command(), json.write(request.params()), request.ttlS(),
                        deviceId))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()))
                .onItem().ifNull().failWith(() -> DeviceStore.notFound(deviceId))
                .call(command -> outbox.append(tx, event(command.deviceId(), command.commandId(), command.command(),
                        CommandStatus.PENDING)))
                .call(command -> messages.commands(tx, deviceId, command.commandId(), true)));
    }

    /** One page of the device's commands, newest first, optionally of one status; 404 when the device is unknown. */
    public Uni<Page<Command>> list(String deviceId, CommandStatus status, long offset, int limit) {
        String wire = status == null ? null : status.wire();
        Uni<List<Command>> items = pool.preparedQuery("SELECT " + COLUMNS + " FROM registry.commands"
                + " WHERE device_id = $1 AND ($2::text IS NULL OR status = $2)"
                + " ORDER BY created_at DESC, seq DESC LIMIT $3 OFFSET $4")
                .execute(Tuple.of(deviceId, wire, limit, offset))
                .map(rows -> {
                    List<Command> commands = new ArrayList<>(rows.size());
                    rows.forEach(row -> commands.add(from(row)));
                    return commands;
                });
        Uni<Long> total = pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM registry.devices WHERE device_id = $1),"
                + " (SELECT count(*) FROM registry.commands WHERE device_id = $1 AND ($2::text IS NULL OR status = $2))")
                .execute(Tuple.of(deviceId, wire))
                .map(rows -> rows.iterator().next())
                .map(row -> row.getBoolean(0) ? row.getLong(1) : null)
                .onItem().ifNull().failWith(() -> DeviceStore.notFound(deviceId));
        return Uni.combine().all().unis(items, total).with(Page::new);
    }

    /** The command, or null when the device has no command of that id. */
    public Uni<Command> get(String deviceId, String commandId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM registry.commands WHERE device_id = $1 AND command_id = $2")
                .execute(Tuple.of(deviceId, commandId))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
    }

    /** Whether the device is registered. */
    public Uni<Boolean> deviceExists(String deviceId) {
        return pool.preparedQuery("SELECT 1 FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 1);
    }

    /**
     * Queues the device's open unexpired commands for (re)sending, as when it came online; returns
     * how many were queued.
     */
    public Uni<Integer> queueOpen(String deviceId) {
        return pool.withTransaction(tx -> messages.commands(tx, deviceId, null, false));
    }

    /**
     * Applies a device acknowledgement. Returns null when applied, otherwise why it was ignored:
     * {@code unknown} command, {@code other_device}'s command, or {@code stale} (a repeated ack, or
     * one for a finished or expired command).
     */
    public Uni<String> acknowledge(String deviceId, Ack ack) {
        CommandStatus target = ack.target();
        boolean finishing = target != CommandStatus.DELIVERED;
        String[] from = target.reachableFrom().stream().map(CommandStatus::wire).toArray(String[]::new);
        return pool.withTransaction(tx -> tx
                .preparedQuery("UPDATE registry.commands SET status = $3, delivered_at = coalesce(delivered_at, now()),"
                        + " completed_at = CASE WHEN $4 THEN now() END,"
                        + " result = CASE WHEN $4 THEN $5::text::jsonb ELSE result END"
                        + " WHERE command_id = $1 AND device_id = $2 AND status = ANY($6) RETURNING command")
                .execute(Tuple.of(ack.commandId(), deviceId, target.wire(), finishing, json.write(ack.result()), from))
                .chain(rows -> rows.size() == 1
                        ? outbox.append(tx, event(deviceId, ack.commandId(), rows.iterator().next().getString(0), target))
                                .replaceWith((String) null)
                        : whyIgnored(tx, deviceId, ack.commandId())));
    }

    private Uni<String> whyIgnored(SqlConnection tx, String deviceId, String commandId) {
        return tx.preparedQuery("SELECT device_id FROM registry.commands WHERE command_id = $1")
                .execute(Tuple.of(commandId))
                .map(rows -> rows.size() == 0 ? "unknown"
                        : deviceId.equals(rows.iterator().next().getString(0)) ? "stale" : "other_device");
    }

    /** Marks as sent the given commands that were still pending (their message got its PUBACK). */
    public Uni<Void> markSent(SqlConnection tx, List<String> commandIds) {
        if (commandIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE registry.commands SET status = 'sent', sent_at = now()"
                + " WHERE command_id = ANY($1) AND status = 'pending' RETURNING command_id, device_id, command")
                .execute(Tuple.of(commandIds.toArray(String[]::new)))
                .chain(rows -> outbox.appendAll(tx, events(rows, CommandStatus.SENT)));
    }

    /** Expires up to {@code batch} open commands whose TTL passed; returns how many. */
    public Uni<Integer> expireDue(int batch) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("UPDATE registry.commands SET status = 'expired', expired_at = now()"
                        + " WHERE command_id IN (SELECT command_id FROM registry.commands"
                        + "  WHERE status IN ('pending', 'sent', 'delivered') AND expires_at <= now()"
                        + "  ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
                        + " RETURNING command_id, device_id, command")
                .execute(Tuple.of(batch))
                .call(rows -> outbox.appendAll(tx, events(rows, CommandStatus.EXPIRED)))
                .map(rows -> rows.rowCount()));
    }

    private static List<PlatformEvent> events(Iterable<Row> rows, CommandStatus status) {
        List<PlatformEvent> events = new ArrayList<>();
        for (Row row : rows) {
            events.add(event(row.getString("device_id"), row.getString("command_id"), row.getString("command"), status));
        }
        return events;
    }

    private static PlatformEvent event(String deviceId, String commandId, String command, CommandStatus status) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("command_id", commandId);
        metadata.put("command", command);
        metadata.put("status", status.wire());
        Severity severity = status == CommandStatus.FAILED || status == CommandStatus.EXPIRED
                ? Severity.WARNING
                : Severity.INFO;
        return PlatformEvent.of(EventType.COMMAND_STATUS_CHANGED, deviceId, severity,
                "Command '" + command + "' (" + commandId + ") is " + status.wire() + ".").withMetadata(metadata);
    }

    private Command from(Row row) {
        return new Command(row.getString("command_id"), row.getString("device_id"), row.getString("command"),
                json.read(row.getString("params")), row.getString("status"), row.getInteger("ttl_s"),
                DeviceStore.instant(row, "created_at"), DeviceStore.instant(row, "expires_at"),
                DeviceStore.instant(row, "sent_at"), DeviceStore.instant(row, "delivered_at"),
                DeviceStore.instant(row, "completed_at"), DeviceStore.instant(row, "expired_at"),
                json.read(row.getString("result")));
    }
}
