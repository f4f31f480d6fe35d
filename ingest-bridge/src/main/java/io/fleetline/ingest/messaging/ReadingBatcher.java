package io.fleetline.ingest.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fleetline.commons.readings.IncomingReading;
import io.fleetline.commons.readings.ReadingWriter;
import io.fleetline.commons.readings.ReadingWriter.Outcome;
import io.fleetline.commons.readings.RejectReason;
import io.fleetline.ingest.config.IngestConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;

/**
 * Groups readings into batches bounded by size and time and writes each batch in one
 * transaction through the shared {@link ReadingWriter}. The {@code Uni} of a reading completes
 * only after its batch committed, so its MQTT message is acknowledged only then; a batch that
 * fails is retried with back-off while its messages stay unacknowledged (a crash meanwhile
 * means redelivery, not loss).
 */
@ApplicationScoped
public class ReadingBatcher {

    private static final Logger LOG = Logger.getLogger(ReadingBatcher.class);

    private final ReadingWriter writer;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final Vertx vertx;

    private final Object lock = new Object();
    private final Deque<List<Pending>> sealed = new ArrayDeque<>();
    private List<Pending> filling = new ArrayList<>();
    private long timer = -1;
    private int writing;

    ReadingBatcher(ReadingWriter writer, IngestMetrics metrics, IngestConfig config, Vertx vertx) {
        this.writer = writer;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    /** One reading waiting for its batch, with what the log may say about its message. */
    private record Pending(IncomingReading reading, String topic, int size, UniEmitter<? super Void> done) {
    }

    /** Queues {@code reading} (from {@code topic}, {@code size} bytes); completes when its batch committed. */
    public Uni<Void> submit(IncomingReading reading, String topic, int size) {
        return Uni.createFrom().emitter(done -> {
            synchronized (lock) {
                filling.add(new Pending(reading, topic, size, done));
                if (filling.size() >= config.batchSize()) {
                    seal();
                } else if (timer < 0) {
                    timer = vertx.setTimer(Math.max(1, config.batchWindow().toMillis()), id -> {
                        synchronized (lock) {
                            timer = -1;
                            seal();
                        }
                        drain();
                    });
                }
            }
            drain();
        });
    }

    private void seal() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (!filling.isEmpty()) {
            sealed.add(filling);
            filling = new ArrayList<>();
        }
    }

    private void drain() {
        while (true) {
            List<Pending> batch;
            synchronized (lock) {
                if (writing >= config.concurrentBatches() || sealed.isEmpty()) {
                    return;
                }
                batch = sealed.poll();
                writing++;
            }
            write(batch);
        }
    }

    private void write(List<Pending> batch) {
        List<IncomingReading> readings = batch.stream().map(Pending::reading).toList();
        writer.write(readings)
                .onFailure().invoke(failure -> LOG.warnf("A batch of %d readings failed to commit, retrying: %s",
                        batch.size(), failure.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), config.maxRetryDelay()).indefinitely()
                .subscribe().with(result -> {
                    committed(batch, result);
                    finished();
                }, failure -> {
                    LOG.errorf("A batch of %d readings was abandoned unacknowledged: %s", batch.size(), failure.getMessage());
                    finished();
                });
    }

    private void committed(List<Pending> batch, ReadingWriter.Result result) {
        Instant now = Instant.now();
        int stored = 0;
        int duplicates = 0;
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            Outcome outcome = result.outcomes().get(i);
            switch (outcome.status()) {
                case STORED -> {
                    stored++;
                    IncomingReading reading = pending.reading();
                    metrics.lag(reading.ts() != null ? reading.ts() : reading.receivedAt(), now);
                }
                case DUPLICATE -> duplicates++;
                case UNKNOWN_DEVICE -> {
                    metrics.rejected(RejectReason.UNKNOWN_DEVICE);
                    LOG.debugf("Dropped a reading of an unregistered device on %s (%d bytes)", pending.topic(), pending.size());
                }
            }
            pending.done().complete(null);
        }
        metrics.committed(batch.size(), stored, duplicates);
    }

    private void finished() {
        synchronized (lock) {
            writing--;
        }
        drain();
    }
}
