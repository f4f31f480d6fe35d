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
