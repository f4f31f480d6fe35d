package io.fleetline.commons.readings;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How {@link ReadingBatcher} groups readings into transactions. */
@ConfigMapping(prefix = "fleetline.readings")
public interface BatchConfig {

    /** Most readings written in one transaction. */
    @WithDefault("1000")
    int batchSize();

    /**
     * Longest a reading waits for its batch to fill. {@code PT0S}: a batch is written as soon as a
     * writer is free, so under load readings gather while the writers are busy (group commit) and
     * a lone reading waits for nothing.
     */
    @WithDefault("PT0S")
    Duration batchWindow();

    /** Batches written at the same time (each on its own connection, in one transaction). */
    @WithDefault("2")
    int concurrentBatches();
}
