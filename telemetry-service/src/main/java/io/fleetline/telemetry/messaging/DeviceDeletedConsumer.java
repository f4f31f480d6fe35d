package io.fleetline.telemetry.messaging;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.telemetry.config.TelemetryConfig;
import io.fleetline.telemetry.store.DeviceDataStore;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * Consumes {@code platform/events/device_deleted} (one replica per event, through a shared
 * subscription) and deletes the device's telemetry recorded up to the event's {@code timestamp}.
 * The message is acknowledged only after the deletion committed; deleting twice is harmless, so
 * redelivery needs no deduplication.
 */
@ApplicationScoped
public class DeviceDeletedConsumer {

    private static final Logger LOG = Logger.getLogger(DeviceDeletedConsumer.class);

    private final MqttLink mqtt;
    private final DeviceDataStore store;
    private final TelemetryConfig config;

    DeviceDeletedConsumer(MqttLink mqtt, DeviceDataStore store, TelemetryConfig config) {
        this.mqtt = mqtt;
        this.store = store;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        mqtt.subscribe("$share/" + config.shareGroup() + "/" + EventType.DEVICE_DELETED.topic(), this::handle);
    }

    Uni<Void> handle(MqttPublishMessage message) {
        String deviceId;
        Instant until;
        try {
            JsonObject event = message.payload().toJsonObject();
            deviceId = event.getString("device_id");
            until = Instant.parse(event.getString("timestamp"));
        } catch (DecodeException | ClassCastException | NullPointerException | DateTimeParseException e) {
            // a malformed event can never succeed: acknowledge it instead of having it redelivered forever
            LOG.warnf("Ignored a device_deleted event without device_id and timestamp: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return store.forget(deviceId, until)
                .invoke(readings -> LOG.infof("Device %s deleted: forgot %d readings", deviceId, readings))
                .replaceWithVoid();
    }
}
