package io.fleetline.commons.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.fleetline.commons.mqtt.MqttLink;

/**
 * Readiness of the broker connection. A service that can work without the broker (its writes go
 * through the outbox) sets {@code fleetline.mqtt.required=false} and reports it as degraded.
 */
@Readiness
@ApplicationScoped
public class MqttHealthCheck implements HealthCheck {

    private final MqttLink mqtt;
    private final boolean required;

    MqttHealthCheck(MqttLink mqtt, @ConfigProperty(name = "fleetline.mqtt.required", defaultValue = "true") boolean required) {
        this.mqtt = mqtt;
        this.required = required;
    }

    @Override
    public HealthCheckResponse call() {
        boolean connected = mqtt.isConnected();
        return HealthCheckResponse.named("mqtt")
                .status(connected || !required)
                .withData("broker", connected ? "connected" : "disconnected")
                .withData("state", connected ? "ok" : required ? "down" : "degraded")
                .build();
    }
}
