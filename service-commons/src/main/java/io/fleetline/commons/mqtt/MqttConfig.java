package io.fleetline.commons.mqtt;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The service's connection to the MQTT broker. */
@ConfigMapping(prefix = "fleetline.mqtt")
public interface MqttConfig {

    /** Broker host. */
    @WithDefault("127.0.0.1")
    String host();

    /** Broker port. */
    @WithDefault("1883")
    int port();

    /** Service account user name, when the broker requires one. */
    Optional<String> username();

    /** Service account password. */
    Optional<String> password();

    /** Client id; a fixed id with {@code clean-session=false} keeps the session across restarts. */
    Optional<String> clientId();

    /** Whether the broker forgets the session on disconnect. */
    @WithDefault("true")
    boolean cleanSession();

    /** Delay between reconnect attempts. */
    @WithDefault("PT1S")
    Duration reconnectDelay();

    /** How long a QoS 1 publish may wait for its PUBACK. */
    @WithDefault("PT10S")
    Duration ackTimeout();

    /**
     * Incoming messages handed to handlers and not yet settled; at this many the link stops
     * reading from the broker until half of them are, so a broker that floods a client (Mosquitto
     * 2.0.11 ignores max_inflight_messages for a session restored from its persistence file)
     * cannot exhaust the heap.
     */
    @WithDefault("20000")
    int maxUnsettled();

    /** Unacknowledged QoS 1 publishes allowed in flight. */
    @WithDefault("1000")
    int maxInflight();

    /** Whether readiness fails without the broker; {@code false} reports it as degraded (see MqttHealthCheck). */
    @WithDefault("true")
    boolean required();
}
