package io.fleetline.commons.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.mqtt.MqttLink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Transactional outbox: {@link #append} writes an event row in the caller's transaction, so the
 * event exists exactly when the state change committed; the relay publishes unsent rows to
 * {@code platform/events/{event}} at QoS 1 and marks them sent after the PUBACK. Rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so several replicas never publish the same row
 * at once. Delivery is at least once (a crash between PUBACK and commit republishes); consumers
 * deduplicate by {@code event_id}.
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]*");

    private final Pool pool;
    private final MqttLink mqtt;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final OutboxConfig config;
    private final String table;
    private final AtomicBoolean relaying = new AtomicBoolean();
    private final MeterRegistry meters;
    private volatile long backlog;

    Outbox(Pool pool, MqttLink mqtt, ObjectMapper json, Vertx vertx, OutboxConfig config,
            @ConfigProperty(name = "fleetline.schema") String schema, MeterRegistry meters) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("fleetline.schema must match " + SCHEMA);
        }
        this.pool = pool;
        this.mqtt = mqtt;
        this.json = json;
        this.vertx = vertx;
        this.config = config;
        this.table = schema + ".outbox";
        this.meters = meters;
        Gauge.builder("fleetline_outbox_backlog", () -> backlog)
                .description("Events written but not yet published to the broker")
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.pollInterval().toMillis(), id -> relayNow());
    }

    /** Writes {@code event} into the outbox within the transaction of {@code tx}. */
    public Uni<Void> append(SqlConnection tx, PlatformEvent event) {
        return appendAll(tx, List.of(event));
    }

    /** Writes {@code events} into the outbox within the transaction of {@code tx}, in one statement. */
    public Uni<Void> appendAll(SqlConnection tx, List<PlatformEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = new String[events.size()];
        String[] topics = new String[events.size()];
        String[] payloads = new String[events.size()];
        for (int i = 0; i < events.size(); i++) {
            PlatformEvent event = events.get(i);
            ids[i] = event.eventId();
            topics[i] = event.event().topic();
            payloads[i] = serialize(event);
        }
        return tx.preparedQuery("INSERT INTO " + table + " (event_id, topic, payload)"
                + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[])")
                .execute(Tuple.of(ids, topics, payloads))
                .replaceWithVoid();
    }

    /** Publishes what is unsent now instead of at the next tick; callers may use it after a commit. */
    public void relayNow() {
        if (!mqtt.isConnected() || !relaying.compareAndSet(false, true)) {
            return;
        }
        relayBatch()
                .repeat().until(published -> published < config.batchSize())
                .collect().last()
                .eventually(() -> relaying.set(false))
                .subscribe().with(
                        last -> {
                        },
                        failure -> LOG.warnf("Outbox relay paused: %s", failure.getMessage()));
    }

    private Uni<Integer> relayBatch() {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT id, topic, payload FROM " + table
                        + " WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(config.batchSize()))
                .chain(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<String> topics = new ArrayList<>();
                    List<Uni<Void>> acks = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong("id"));
                        topics.add(row.getString("topic"));
                        acks.add(mqtt.publish(row.getString("topic"), Buffer.buffer(row.getString("payload")), false));
                    }
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(topics);
                    }
                    return Uni.join().all(acks).andFailFast()
                            .chain(() -> tx.preparedQuery("UPDATE " + table + " SET sent_at = now() WHERE id = ANY($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new))))
                            .replaceWith(topics);
                }))
                .invoke(topics -> topics.forEach(topic -> meters.counter("fleetline_events_published",
                        "event", topic.substring(topic.lastIndexOf('/') + 1)).increment()))
                .map(List::size)
                .call(published -> pool.preparedQuery("SELECT count(*) FROM " + table + " WHERE sent_at IS NULL")
                        .execute()
                        .invoke(rows -> backlog = rows.iterator().next().getLong(0)));
    }

    /** Forgets events published longer ago than the configured retention. */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> prune() {
        return pool.preparedQuery("DELETE FROM " + table + " WHERE sent_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.keepSent().toSeconds()))
                .replaceWithVoid();
    }

    private String serialize(PlatformEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Event " + event.eventId() + " cannot be serialized", e);
        }
    }
}
