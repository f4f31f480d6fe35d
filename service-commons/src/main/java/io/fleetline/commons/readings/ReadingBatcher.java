package io.fleetline.commons.readings;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.readings.ReadingWriter.Outcome;
import io.fleetline.commons.store.GroupCommit;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Readings submitted one at a time (MQTT messages, single-reading HTTP requests) committed
 * together through {@link ReadingWriter}, as {@link BatchConfig} bounds the batches. A reading's
 * {@code Uni} completes with its outcome after its batch committed; when the batch fails, every
 * reading of it fails, and the caller decides whether to resubmit.
 */
@ApplicationScoped
public class ReadingBatcher {

    private final GroupCommit<IncomingReading, Outcome> batches;

    ReadingBatcher(ReadingWriter writer, BatchConfig config, Vertx vertx, MeterRegistry meters) {
        this.batches = new GroupCommit<>(vertx, "readings", config.batchSize(), config.batchWindow(),
                config.concurrentBatches(), readings -> writer.write(readings).map(ReadingWriter.Result::outcomes),
                DistributionSummary.builder("fleetline_ingest_batch_size")
                        .description("Readings per committed batch").publishPercentileHistogram().register(meters));
    }

    /** Queues {@code reading}; completes with its outcome when its batch committed. */
    public Uni<Outcome> submit(IncomingReading reading) {
        return batches.submit(reading);
    }
}
