package io.fleetline.commons.auth;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Request rate limits per key (per client address when unauthenticated). */
@ConfigMapping(prefix = "fleetline.rate-limit")
public interface RateLimitConfig {

    /** Whether limits are enforced; the service tests switch it off outside their rate-limit tests. */
    @WithDefault("true")
    boolean enabled();

    /** The window every limit counts over. */
    @WithDefault("PT1M")
    Duration window();

    /** Requests per window by class ({@code default}, {@code ingest}, {@code commands}, ...). */
    Map<String, Integer> limits();
}
