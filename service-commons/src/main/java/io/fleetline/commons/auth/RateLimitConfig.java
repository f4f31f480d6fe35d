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

    /**
     * Where the counters live: {@code memory} (each replica counts its own) or {@code redis}
     * (every replica pointed at the same Redis shares one budget per caller).
     */
    @WithDefault("memory")
    Store store();

    /** The Redis of the {@code redis} store, as a Redis URI; it may carry a password, so it is never logged. */
    @WithDefault("redis://127.0.0.1:6379")
    String redisUrl();

    /**
     * How long a request waits for Redis. When Redis does not answer in time, or fails, the
     * request is let through (counted in {@code fleetline_rate_limit_store_errors_total}): an
     * outage of the limiter's store must not become an outage of the API.
     */
    @WithDefault("PT0.5S")
    Duration redisTimeout();

    /** The counters' home. */
    enum Store {
        MEMORY, REDIS
    }
}
