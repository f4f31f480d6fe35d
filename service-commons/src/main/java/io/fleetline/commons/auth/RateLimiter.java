package io.fleetline.commons.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Token buckets (Bucket4j) per caller and limit class, in memory or in Redis
 * ({@code fleetline.rate-limit.store}). A bucket refills all at once at the end of its window, so
 * {@code RateLimit-Reset} and {@code Retry-After} are exact. Idle callers cost nothing: buckets
 * back at full capacity are dropped each window in memory, and expire in Redis.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String REDIS_PREFIX = "fleetline:rate-limit:";

    private final RateLimitConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final Counter storeErrors;
    private final AtomicLong lastStoreWarning = new AtomicLong();
    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();
    private RedisClient redis;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private AsyncProxyManager<byte[]> shared;

    RateLimiter(RateLimitConfig config, Vertx vertx, MeterRegistry meters) {
        this.config = config;
        this.vertx = vertx;
        this.meters = meters;
        this.storeErrors = Counter.builder("fleetline_rate_limit_store_errors")
                .description("Requests let through unlimited because the rate-limit store failed or did not answer in time")
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        if (config.store() == RateLimitConfig.Store.REDIS) {
            redis = RedisClient.create(config.redisUrl());
            connection = redis.connect(ByteArrayCodec.INSTANCE);
            shared = Bucket4jLettuce.casBasedBuilder(connection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(1)))
                    .build().asAsync();
            LOG.info("Rate limits are counted in Redis, shared by every replica using it");
        } else {
            vertx.setPeriodic(config.window().toMillis(), id -> buckets.values()
                    .removeIf(limited -> limited.bucket.getAvailableTokens() >= limited.limit));
        }
    }

    @PreDestroy
    void stop() {
        if (redis != null) {
            connection.close();
            redis.shutdown();
        }
    }

    /** Whether limits are enforced. */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Takes one request from the budget of {@code caller} in {@code limitClass}; {@code override}
     * (a key's own limit, may be null) replaces the limit of every class for that key. Completes
     * on the caller's Vert.x context.
     */
    public Uni<Outcome> consume(String caller, String limitClass, Integer override) {
        int limit = override != null ? override : limitOf(limitClass);
        // The limit is part of the key: a key whose own limit changes starts a fresh bucket.
        String bucketKey = caller + '|' + limitClass + '|' + limit;
        if (shared == null) {
            Limited limited = buckets.computeIfAbsent(bucketKey, key -> new Limited(limit, Bucket.builder()
                    .addLimit(bandwidth(limit)).build()));
            return Uni.createFrom().item(outcome(limited.bucket.tryConsumeAndReturnRemaining(1), limit, limitClass));
        }
        Context context = Vertx.currentContext();
        BucketConfiguration configuration = BucketConfiguration.builder().addLimit(bandwidth(limit)).build();
        Uni<Outcome> decided = Uni.createFrom()
                .completionStage(() -> shared.builder()
                        .build((REDIS_PREFIX + bucketKey).getBytes(StandardCharsets.UTF_8),
                                () -> CompletableFuture.completedFuture(configuration))
                        .tryConsumeAndReturnRemaining(1))
                .ifNoItem().after(config.redisTimeout()).fail()
                .map(probe -> outcome(probe, limit, limitClass))
                .onFailure().recoverWithItem(this::storeFailed);
        return context == null ? decided : decided.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private Outcome outcome(ConsumptionProbe probe, int limit, String limitClass) {
        long resetNanos = probe.isConsumed() ? probe.getNanosToWaitForReset() : probe.getNanosToWaitForRefill();
        if (!probe.isConsumed()) {
            meters.counter("fleetline_rate_limit_rejections", "class", limitClass).increment();
        }
        return new Outcome(probe.isConsumed(), limit, probe.getRemainingTokens(), seconds(resetNanos));
    }

    private Outcome storeFailed(Throwable failure) {
        storeErrors.increment();
        long now = System.nanoTime();
        long last = lastStoreWarning.get();
        if (now - last > TimeUnit.MINUTES.toNanos(1) && lastStoreWarning.compareAndSet(last, now)) {
            LOG.warnf("Rate-limit store unavailable (%s); requests pass unlimited until it answers",
                    failure.getClass().getSimpleName());
        }
        return Outcome.UNLIMITED;
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

    private Bandwidth bandwidth(int limit) {
        return Bandwidth.builder().capacity(limit).refillIntervally(limit, config.window()).build();
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

        /** Let through without a count, while the store is unavailable: no limit headers. */
        static final Outcome UNLIMITED = new Outcome(true, 0, 0, 0);

        /** The headers every limited response carries. */
        public Map<String, String> headers() {
            if (this == UNLIMITED) {
                return Map.of();
            }
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
