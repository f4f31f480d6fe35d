package io.fleetline.ingest.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ingest bridge: MQTT subscriptions, batching and presence. */
@ConfigMapping(prefix = "fleetline.ingest")
public interface IngestConfig {

    /** Shared-subscription group the bridge replicas split the device topics in. */
    @WithDefault("ingest-bridge")
    String shareGroup();

    /** Most readings written in one transaction. */
    @WithDefault("1000")
    int batchSize();

    /** Longest a reading waits for its batch to fill before the batch is written anyway. */
    @WithDefault("PT0.05S")
    Duration batchWindow();

    /** Batches written at the same time (each on its own connection, in one transaction). */
    @WithDefault("2")
    int concurrentBatches();

    /** Longest pause between retries of a batch that failed to commit (its messages stay unacknowledged). */
    @WithDefault("PT5S")
    Duration maxRetryDelay();

    /** How often devices that went silent are looked for. */
    @WithDefault("PT5S")
    Duration presenceCheckInterval();

    /** Expected interval between readings when the device's config has no {@code sample_interval_s}. */
    @WithDefault("30")
    int defaultSampleIntervalS();

    /** Missed intervals after which a silent device is offline. */
    @WithDefault("3")
    int missedIntervals();
}
