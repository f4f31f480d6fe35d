package io.fleetline.webhooks.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the webhook gateway ({@code fleetline.webhooks.*}). */
@ConfigMapping(prefix = "fleetline.webhooks")
public interface WebhooksConfig {

    /** CIDRs a receiver may resolve to although they are loopback, private, link-local, CGNAT, multicast or metadata; none by default. */
    Optional<List<String>> allowedCidrs();

    /** Secrets that sign inbound webhooks ({@code POST /webhooks/iot}); without any, every inbound request is refused. */
    Optional<List<String>> inboundSecrets();

    /** Shared-subscription group of the event consumer; replicas in one group split the events. */
    @WithDefault("webhook-gateway")
    String shareGroup();

    /** Time one delivery attempt may take, connect to last byte. */
    @WithDefault("10s")
    Duration requestTimeout();

    /** Delay before retry n (the last entry repeats) before jitter. */
    @WithDefault("5s,30s,2m,10m,30m,1h,2h,4h,8h")
    List<Duration> retrySchedule();

    /** Relative jitter applied to each retry delay (0.2 = plus or minus 20 %). */
    @WithDefault("0.2")
    double retryJitter();

    /** A delivery still failing this long after its first attempt becomes a dead letter. */
    @WithDefault("72h")
    Duration giveUpAfter();

    /** Largest {@code Retry-After} (or Discord {@code retry_after}) honoured. */
    @WithDefault("1h")
    Duration maxRetryAfter();

    /** An endpoint whose deliveries all failed for this long is disabled. */
    @WithDefault("24h")
    Duration disableAfter();

    /** How long the previous secret keeps signing after a rotation. */
    @WithDefault("24h")
    Duration rotationOverlap();

    /**
     * Attempts in flight to one endpoint at once (per replica). Each (device, endpoint) queue
     * sends one at a time, so an endpoint serving many devices needs this many to keep up: at 16
     * one gateway reached 1,000 deliveries/s to four endpoints only with a growing backlog, at 64
     * with p99 under 250 ms (docs/benchmarks.md).
     */
    @WithDefault("64")
    int maxConcurrencyPerEndpoint();

    /** Attempts in flight from this replica at once: 16 endpoints that never answer fill it. */
    @WithDefault("1024")
    int maxInFlight();

    /** How often the worker looks for due deliveries when it was not nudged. */
    @WithDefault("250ms")
    Duration pollInterval();

    /** Extra time past the request timeout before a claimed delivery may be claimed again (crashed replica). */
    @WithDefault("30s")
    Duration leaseMargin();

    /** Largest inbound webhook body. */
    @WithDefault("256K")
    MemorySize inboundMaxBodySize();

    /** Allowed clock difference of an inbound {@code webhook-timestamp}. */
    @WithDefault("5m")
    Duration inboundTolerance();

    /** Window within which a repeated inbound event id is a duplicate. */
    @WithDefault("72h")
    Duration inboundDedupWindow();

    /** How long finished deliveries (with their attempts and events) stay in the delivery log. */
    @WithDefault("720h")
    Duration retention();
}
