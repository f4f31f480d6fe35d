package io.fleetline.registry.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the device registry: paging, command lifetimes and the device-message relay. */
@ConfigMapping(prefix = "fleetline.registry")
public interface RegistryConfig {

    /** Page size of a list answer when the request names none. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page size a client may ask for; larger requests are served this many. */
    @WithDefault("200")
    int maxPageSize();

    /** Time-to-live of a command whose request names no {@code ttl_s}. */
    @WithDefault("PT1H")
    Duration defaultCommandTtl();

    /** How often commands whose TTL passed are marked expired. */
    @WithDefault("PT1S")
    Duration expiryInterval();

    /** How often the device-message relay looks for config, command and clear messages not yet published. */
    @WithDefault("PT0.5S")
    Duration relayInterval();

    /** Device messages claimed and published per relay transaction. */
    @WithDefault("200")
    int relayBatchSize();

    /** Shared-subscription group of the registry's MQTT consumers ({@code $share/<group>/...}); replicas split the messages. */
    @WithDefault("registry")
    String shareGroup();
}
