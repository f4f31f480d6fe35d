package io.fleetline.commons.readings;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fleetline.commons.readings.ReadingWriter.Outcome;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Groups readings submitted one at a time (MQTT messages, single-reading HTTP requests) into
 * batches bounded by size and time, and writes each batch in one transaction through
 * {@link ReadingWriter}. A reading's {@code Uni} completes with its outcome after its batch
 * committed, on the Vert.x context it was submitted from; when the batch fails, every reading of
 * it fails, and the caller decides whether to resubmit.
 */
@ApplicationScoped
public class ReadingBatcher {

    private static final Logger LOG = Logger.getLogger(ReadingBatcher.class);

    private final ReadingWriter writer;
    private final BatchConfig config;
    private final Vertx vertx;
    private final DistributionSummary batchSizes;

    private final Object lock = new Object();
    private final Deque<List<Pending>> sealed = new ArrayDeque<>();
    private List<Pending> filling = new ArrayList<>();
    private long timer = -1;
    private int writing;

    ReadingBatcher(ReadingWriter writer, BatchConfig config, Vertx vertx, MeterRegistry meters) {
        this.writer = writer;
        this.config = config;
        this.vertx = vertx;
        this.batchSizes = DistributionSummary.builder("fleetline_ingest_batch_size")
                .description("Readings per committed batch").publishPercentileHistogram().register(meters);
    }

    private record Pending(IncomingReading reading, Context context, UniEmitter<? super Outcome> done) {

        void complete(Outcome outcome) {
            if (context == null || context == Vertx.currentContext()) {
                done.complete(outcome);
            } else {
                context.runOnContext(ignored -> done.complete(outcome));
            }
        }

        void fail(Throwable failure) {
            if (context == null || context == Vertx.currentContext()) {
                done.fail(failure);
            } else {
                context.runOnContext(ignored -> done.fail(failure));
            }
        }
    }

    /** Queues {@code reading}; completes with its outcome when its batch committed. */
    public Uni<Outcome> submit(IncomingReading reading) {
        return Uni.createFrom().emitter(done -> {
            synchronized (lock) {
                filling.add(new Pending(reading, Vertx.currentContext(), done));
                if (filling.size() >= config.batchSize() || lingerless() && writing < config.concurrentBatches()) {
                    seal();
                } else if (timer < 0 && !lingerless()) {
                    timer = vertx.setTimer(config.batchWindow().toMillis(), id -> {
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

    private boolean lingerless() {
        return config.batchWindow().toMillis() <= 0;
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
                if (writing >= config.concurrentBatches()) {
                    return;
                }
                if (sealed.isEmpty() && lingerless()) {
                    // What gathered while every writer was busy goes now.
                    seal();
                }
                if (sealed.isEmpty()) {
                    return;
                }
                batch = sealed.poll();
                writing++;
            }
            write(batch);
        }
    }

    private void write(List<Pending> batch) {
        writer.write(batch.stream().map(Pending::reading).toList()).subscribe().with(result -> {
            batchSizes.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(result.outcomes().get(i));
            }
            finished();
        }, failure -> {
            LOG.warnf("A batch of %d readings failed to commit: %s", batch.size(), failure.getMessage());
            batch.forEach(pending -> pending.fail(failure));
            finished();
        });
    }

    private void finished() {
        synchronized (lock) {
            writing--;
        }
        drain();
    }
}
