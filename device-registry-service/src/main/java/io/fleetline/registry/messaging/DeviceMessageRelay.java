package io.fleetline.registry.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.config.RegistryConfig;
import io.fleetline.registry.store.CommandStore;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes {@code registry.device_messages} in id order at QoS 1 (retained config and clears,
 * commands) and deletes each after its PUBACK, in one transaction that also marks pending
 * commands {@code sent}. While the broker is down nothing is claimed; the rows wait. Commands
 * that finished or expired while queued are dropped unpublished.
 */
@ApplicationScoped
public class DeviceMessageRelay {

    private static final Logger LOG = Logger.getLogger(DeviceMessageRelay.class);

    private final Pool pool;
    private final MqttLink mqtt;
    private final CommandStore commands;
    private final Outbox outbox;
    private final RegistryConfig config;
    private final Vertx vertx;
    private final AtomicBoolean relaying = new AtomicBoolean();

    DeviceMessageRelay(Pool pool, MqttLink mqtt, CommandStore commands, Outbox outbox, RegistryConfig config,
            Vertx vertx) {
        this.pool = pool;
        this.mqtt = mqtt;
        this.commands = commands;
        this.outbox = outbox;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.relayInterval().toMillis(), id -> relayNow());
    }

    /** Publishes what is queued now instead of at the next tick; callers use it after a commit. */
    public void relayNow() {
        if (!mqtt.isConnected() || !relaying.compareAndSet(false, true)) {
            return;
        }
        relayBatch()
                .repeat().until(claimed -> claimed < config.relayBatchSize())
                .collect().last()
                .eventually(() -> relaying.set(false))
                .subscribe().with(
                        last -> outbox.relayNow(),
                        failure -> LOG.warnf("Device-message relay paused: %s", failure.getMessage()));
    }

    private Uni<Integer> relayBatch() {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT m.id, m.topic, m.payload, m.retain, m.device_id, m.config_version, m.command_id,"
                        + " (m.command_id IS NULL OR (c.status IN ('pending', 'sent') AND c.expires_at > now())) AS live"
                        + " FROM registry.device_messages m LEFT JOIN registry.commands c ON c.command_id = m.command_id"
                        + " ORDER BY m.id LIMIT $1 FOR UPDATE OF m SKIP LOCKED")
                .execute(Tuple.of(config.relayBatchSize()))
                .chain(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<String> sentCommands = new ArrayList<>();
                    List<String> configDevices = new ArrayList<>();
                    List<Integer> configVersions = new ArrayList<>();
                    List<Uni<Void>> acks = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong("id"));
                        if (!row.getBoolean("live")) {
                            continue;
                        }
                        acks.add(mqtt.publish(row.getString("topic"), Buffer.buffer(row.getString("payload")),
                                row.getBoolean("retain")));
                        if (row.getString("command_id") != null) {
                            sentCommands.add(row.getString("command_id"));
                        }
                        if (row.getInteger("config_version") != null) {
                            configDevices.add(row.getString("device_id"));
                            configVersions.add(row.getInteger("config_version"));
                        }
                    }
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Uni<Void> published = acks.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : Uni.join().all(acks).andFailFast().replaceWithVoid();
                    return published
                            .chain(() -> tx.preparedQuery("DELETE FROM registry.device_messages WHERE id = ANY($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new))))
                            .chain(() -> commands.markSent(tx, sentCommands))
                            .chain(() -> configDevices.isEmpty() ? Uni.createFrom().voidItem()
                                    : tx.preparedQuery("UPDATE registry.devices d"
                                            + " SET config_published_version = greatest(d.config_published_version, p.version)"
                                            + " FROM unnest($1::text[], $2::int[]) AS p(device_id, version)"
                                            + " WHERE d.device_id = p.device_id")
                                            .execute(Tuple.of(configDevices.toArray(String[]::new),
                                                    configVersions.toArray(Integer[]::new)))
                                            .replaceWithVoid())
                            .replaceWith(ids.size());
                }));
    }
}
