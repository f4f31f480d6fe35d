package io.fleetline.commons.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The outbox relay of the service. */
@ConfigMapping(prefix = "fleetline.outbox")
public interface OutboxConfig {

    /** How often the relay looks for unsent events. */
    @WithDefault("PT0.1S")
    Duration pollInterval();

    /** Events claimed and published per transaction. */
    @WithDefault("500")
    int batchSize();

    /** How long published events stay in the table, for inspection. */
    @WithDefault("PT1H")
    Duration keepSent();
}
