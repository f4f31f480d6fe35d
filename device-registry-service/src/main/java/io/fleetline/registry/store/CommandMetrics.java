package io.fleetline.registry.store;

import java.util.EnumMap;
import java.util.Map;
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
    private final Map<CommandStatus, AtomicLong> counts = new EnumMap<>(CommandStatus.class);

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
            Map<CommandStatus, Long> now = new EnumMap<>(CommandStatus.class);
            rows.forEach(row -> now.put(CommandStatus.fromWire(row.getString(0)), row.getLong(1)));
            // each gauge moves straight to its new value, so a scrape never sees a false zero
            counts.forEach((status, count) -> count.set(now.getOrDefault(status, 0L)));
        }, failure -> LOG.warnf("Counting commands by status failed: %s", failure.getMessage()));
    }
}
