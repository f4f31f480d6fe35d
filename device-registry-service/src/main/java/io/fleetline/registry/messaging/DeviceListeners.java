package io.fleetline.registry.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.events.EventType;
import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.mqtt.TopicFilter;
import io.fleetline.registry.config.RegistryConfig;
import io.fleetline.registry.domain.CommandRules;
import io.fleetline.registry.domain.CommandRules.Ack;
import io.fleetline.registry.store.CommandStore;
import io.fleetline.registry.store.DeviceStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * What the registry hears over MQTT: command acknowledgements, reported configurations, and
 * {@code device_online} events (the moment to (re)send open commands). Shared subscriptions, so
 * replicas split the work. Messages that are not what the contract says are counted and dropped.
 */
@ApplicationScoped
public class DeviceListeners {

    private static final Logger LOG = Logger.getLogger(DeviceListeners.class);

    private final MqttLink mqtt;
    private final CommandStore commands;
    private final DeviceStore devices;
    private final DeviceMessageRelay relay;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final RegistryConfig config;

    DeviceListeners(MqttLink mqtt, CommandStore commands, DeviceStore devices, DeviceMessageRelay relay,
            ObjectMapper json, MeterRegistry meters, RegistryConfig config) {
        this.config = config;
        this.mqtt = mqtt;
        this.commands = commands;
        this.devices = devices;
        this.relay = relay;
        this.json = json;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        String shared = "$share/" + config.shareGroup() + "/";
        mqtt.subscribe(shared + "devices/+/commands/ack", this::onAck);
        mqtt.subscribe(shared + "devices/+/config/reported", this::onReported);
        mqtt.subscribe(shared + EventType.DEVICE_ONLINE.topic(), this::onOnline);
    }

    Uni<Void> onAck(MqttPublishMessage message) {
        String deviceId = TopicFilter.level(message.topicName(), 1);
        Ack ack = CommandRules.ack(parse(message));
        if (ack == null) {
            ignored("command_ack", "malformed");
            return Uni.createFrom().voidItem();
        }
        return commands.acknowledge(deviceId, ack)
                .invoke(ignored -> {
                    if (ignored != null) {
                        ignored("command_ack", ignored);
                    }
                })
                .replaceWithVoid();
    }

    Uni<Void> onReported(MqttPublishMessage message) {
        String deviceId = TopicFilter.level(message.topicName(), 1);
        JsonNode payload = parse(message);
        if (payload == null || !payload.path("config").isObject() || !payload.path("version").canConvertToInt()) {
            ignored("reported_config", "malformed");
            return Uni.createFrom().voidItem();
        }
        return devices.recordReported(deviceId, payload.get("version").asInt(), payload.get("config"))
                .invoke(recorded -> {
                    if (!recorded) {
                        ignored("reported_config", "unknown_device");
                    }
                })
                .replaceWithVoid();
    }

    Uni<Void> onOnline(MqttPublishMessage message) {
        JsonNode payload = parse(message);
        if (payload == null || !payload.path("device_id").isTextual()) {
            ignored("device_online", "malformed");
            return Uni.createFrom().voidItem();
        }
        return commands.queueOpen(payload.get("device_id").textValue())
                .invoke(queued -> {
                    if (queued > 0) {
                        relay.relayNow();
                    }
                })
                .replaceWithVoid();
    }

    private void ignored(String kind, String reason) {
        LOG.debugf("Ignored %s message: %s", kind, reason);
        Counter.builder("fleetline_registry_messages_ignored")
                .description("MQTT messages the registry counted and dropped (unknown commands, other devices' acks, malformed)")
                .tag("kind", kind)
                .tag("reason", reason)
                .register(meters)
                .increment();
    }

    private JsonNode parse(MqttPublishMessage message) {
        try {
            return json.readTree(message.payload().getBytes());
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
