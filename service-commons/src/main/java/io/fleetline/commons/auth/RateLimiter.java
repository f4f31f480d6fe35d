package io.fleetline.commons.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * In-memory token buckets (Bucket4j) per caller and limit class. A bucket refills all at once at
 * the end of its window, so {@code RateLimit-Reset} and {@code Retry-After} are exact. Buckets
 * back at full capacity are dropped each window, so idle callers cost no memory.
 */
@ApplicationScoped
public class RateLimiter {

    private final RateLimitConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();

    RateLimiter(RateLimitConfig config, Vertx vertx, MeterRegistry meters) {
        this.config = config;
        this.vertx = vertx;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            vertx.setPeriodic(config.window().toMillis(), id -> buckets.values()
                    .removeIf(limited -> limited.bucket.getAvailableTokens() >= limited.limit));
        }
    }

    /** Whether limits are enforced. */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Takes one request from the budget of {@code caller} in {@code limitClass}; {@code override}
     * (a key's own limit, may be null) replaces the limit of every class for that key.
     */
    public Outcome consume(String caller, String limitClass, Integer override) {
        int limit = override != null ? override : limitOf(limitClass);
        Limited limited = buckets.compute(caller + '|' + limitClass, (key, existing) ->
                existing != null && existing.limit == limit ? existing : new Limited(limit, bucket(limit)));
        ConsumptionProbe probe = limited.bucket.tryConsumeAndReturnRemaining(1);
        long resetNanos = probe.isConsumed() ? probe.getNanosToWaitForReset() : probe.getNanosToWaitForRefill();
        if (!probe.isConsumed()) {
            meters.counter("fleetline_rate_limit_rejections", "class", limitClass).increment();
        }
        return new Outcome(probe.isConsumed(), limit, probe.getRemainingTokens(), seconds(resetNanos));
    }

    private int limitOf(String limitClass) {
        Integer limit = config.limits().get(limitClass);
        if (limit == null) {
            limit = config.limits().get("default");
        }
        if (limit == null) {
            throw new IllegalStateException("fleetline.rate-limit.limits.default is not set");
        }
        return limit;
    }

    private Bucket bucket(int limit) {
        Duration window = config.window();
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit).refillIntervally(limit, window).build())
                .build();
    }

    /** At least one second, so a client told to wait is not told to retry at once. */
    private static long seconds(long nanos) {
        return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * One decision: whether the request may proceed, and the values of the {@code RateLimit-*}
     * headers ({@code resetSeconds} is also the {@code Retry-After} of a refusal).
     */
    public record Outcome(boolean allowed, int limit, long remaining, long resetSeconds) {

        /** The headers every limited response carries. */
        public Map<String, String> headers() {
            return allowed
                    ? Map.of("RateLimit-Limit", Integer.toString(limit),
                            "RateLimit-Remaining", Long.toString(remaining),
                            "RateLimit-Reset", Long.toString(resetSeconds))
                    : Map.of("RateLimit-Limit", Integer.toString(limit),
                            "RateLimit-Remaining", "0",
                            "RateLimit-Reset", Long.toString(resetSeconds),
                            "Retry-After", Long.toString(resetSeconds));
        }
    }

    private record Limited(int limit, Bucket bucket) {
    }
}
