package io.fleetline.telemetry.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.telemetry.config.TelemetryConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the daily partitions in shape, at start-up and every
 * {@code fleetline.telemetry.maintenance-interval}: creates yesterday through
 * {@code partitions-ahead} days ahead, gives every day that landed in the default partition its
 * own partition (so the default stays small and old rows age out whole), then drops partitions
 * older than {@code fleetline.telemetry.retention}.
 */
@ApplicationScoped
public class PartitionMaintenance {

    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class);

    private final PartitionStore partitions;
    private final TelemetryConfig config;

    PartitionMaintenance(PartitionStore partitions, TelemetryConfig config) {
        this.partitions = partitions;
        this.config = config;
    }

    void atStart(@Observes StartupEvent event) {
        // start-up may block: the service should not take readings before today's partition exists
        run().await().atMost(Duration.ofMinutes(5));
    }

    @Scheduled(every = "${fleetline.telemetry.maintenance-interval}", delayed = "${fleetline.telemetry.maintenance-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run().onFailure().invoke(failure -> LOG.warnf("Partition maintenance failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** One maintenance pass at the current time. */
    public Uni<Void> run() {
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return partitions.daysInDefault().chain(stray -> {
            TreeSet<LocalDate> days = new TreeSet<>(stray);
            for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(config.partitionsAhead()));
                    day = day.plusDays(1)) {
                days.add(day);
            }
            return ensure(List.copyOf(days));
        })
                .chain(() -> partitions.dropEndingBy(now.minus(config.retention())))
                .invoke(dropped -> {
                    if (!dropped.isEmpty()) {
                        LOG.infof("Retention dropped the reading partitions of %s", dropped);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> ensure(List<LocalDate> days) {
        return Multi.createFrom().iterable(days)
                .onItem().transformToUniAndConcatenate(day -> partitions.create(day).invoke(moved -> {
                    if (moved > 0) {
                        LOG.infof("Moved %d readings of %s from the default partition into their own", moved, day);
                    }
                }))
                .collect().last()
                .replaceWithVoid();
    }
}
