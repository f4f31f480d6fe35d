package io.fleetline.ingest.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.readings.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The bridge's metrics, served on {@code /q/metrics}. */
@ApplicationScoped
public class IngestMetrics {

    private final Counter ingested;
    private final Counter duplicates;
    private final Counter retained;
    private final Counter commitFailures;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Timer lag;
    private final AtomicLong online = new AtomicLong();

    IngestMetrics(MeterRegistry meters) {
        ingested = Counter.builder("fleetline_ingest_readings").tag("source", "mqtt").description("Readings stored").register(meters);
        duplicates = Counter.builder("fleetline_ingest_duplicates")
                .description("Readings whose idempotency key was already stored").register(meters);
        retained = Counter.builder("fleetline_ingest_retained_skipped")
                .description("Retained messages replayed by the broker on subscribe and skipped").register(meters);
        commitFailures = Counter.builder("fleetline_ingest_commit_failures")
                .description("Attempts to store a reading whose batch failed to commit; it stays unacknowledged and is retried")
                .register(meters);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder("fleetline_ingest_rejected").tag("reason", reason.label())
                    .description("Messages refused, by reason").register(meters));
        }
        lag = Timer.builder("fleetline_ingest_commit_lag")
                .description("From the reading's ts (or arrival) to its commit")
                .publishPercentileHistogram().register(meters);
        Gauge.builder("fleetline_devices_online", online, AtomicLong::get)
                .description("Devices whose connectivity is online").register(meters);
    }

    void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    void retainedSkipped() {
        retained.increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void commitFailed() {
        commitFailures.increment();
    }

    /** A reading stored, with its lag from {@code since} (its ts, or its arrival) to {@code committed}. */
    void stored(Instant since, Instant committed) {
        ingested.increment();
        Duration elapsed = Duration.between(since, committed);
        if (!elapsed.isNegative()) {
            lag.record(elapsed);
        }
    }

    /** Sets the online-devices gauge. */
    public void online(long count) {
        online.set(count);
    }
}
