package io.fleetline.registry.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.registry.domain.CommandStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * {@code fleetline_commands{status}}: how many commands are in each state, counted in PostgreSQL
 * every 10 s, so every registry replica reports the same fleet-wide figure.
 */
@ApplicationScoped
public class CommandMetrics {

    private static final Logger LOG = Logger.getLogger(CommandMetrics.class);
    private static final long INTERVAL_MS = 10_000;

    private final Pool pool;
    private final Vertx vertx;
    private final Map<CommandStatus, AtomicLong> counts = new ConcurrentHashMap<>();

    CommandMetrics(Pool pool, Vertx vertx, MeterRegistry meters) {
        this.pool = pool;
        this.vertx = vertx;
        for (CommandStatus status : CommandStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("fleetline_commands", count, AtomicLong::get).tag("status", status.wire())
                    .description("Commands in this state").register(meters);
        }
    }

    void start(@Observes StartupEvent event) {
        count();
        vertx.setPeriodic(INTERVAL_MS, id -> count());
    }

    private void count() {
        pool.query("SELECT status, count(*) FROM registry.commands GROUP BY status").execute().subscribe().with(rows -> {
            counts.values().forEach(count -> count.set(0));
            rows.forEach(row -> {
                CommandStatus status = CommandStatus.fromWire(row.getString(0));
                if (status != null) {
                    counts.get(status).set(row.getLong(1));
                }
            });
        }, failure -> LOG.warnf("Counting commands by status failed: %s", failure.getMessage()));
    }
}
