package io.fleetline.telemetry.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The settings of telemetry-service ({@code fleetline.telemetry.*}). */
@ConfigMapping(prefix = "fleetline.telemetry")
public interface TelemetryConfig {

    /** How long readings are kept: daily partitions wholly older than this are dropped. */
    @WithDefault("P90D")
    Duration retention();

    /** How many days of partitions exist ahead of today (yesterday is always created too). */
    @WithDefault("7")
    int partitionsAhead();

    /** How often partitions are created ahead, strays moved out of the default partition and expired ones dropped. */
    @WithDefault("PT1H")
    Duration maintenanceInterval();

    /** Readings fetched per keyset page while streaming a CSV export. */
    @WithDefault("5000")
    int exportPageSize();

    /** The MQTT shared-subscription group the replicas consume platform events in ({@code $share/<group>/...}). */
    @WithDefault("telemetry")
    String shareGroup();
}
