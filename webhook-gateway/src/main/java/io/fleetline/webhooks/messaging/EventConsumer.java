package io.fleetline.webhooks.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.events.Severity;
import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.webhooks.config.WebhooksConfig;
import io.fleetline.webhooks.store.DeliveryStore;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * Turns each platform event into one stored delivery per matching endpoint. The MQTT message is
 * acknowledged only after that commit, so a crash in between means redelivery, and a redelivered
 * event id creates nothing new. The raw payload is kept byte for byte: it is what receivers get.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final MqttLink mqtt;
    private final DeliveryStore deliveries;
    private final DeliveryWorker worker;
    private final ObjectMapper json;
    private final WebhooksConfig config;

    EventConsumer(MqttLink mqtt, DeliveryStore deliveries, DeliveryWorker worker, ObjectMapper json,
            WebhooksConfig config) {
        this.mqtt = mqtt;
        this.deliveries = deliveries;
        this.worker = worker;
        this.json = json;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        mqtt.subscribe("$share/" + config.shareGroup() + "/platform/events/#", this::onEvent);
    }

    Uni<Void> onEvent(MqttPublishMessage message) {
        byte[] payload = message.payload().getBytes();
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (Exception e) {
            LOG.warnf("Ignoring a malformed platform event on %s: %s", message.topicName(), e.getMessage());
            return Uni.createFrom().voidItem();
        }
        String type = text(event, "event");
        String eventId = text(event, "event_id");
        if (type == null || eventId == null) {
            LOG.warnf("Ignoring a platform event without event or event_id on %s", message.topicName());
            return Uni.createFrom().voidItem();
        }
        Severity severity = Severity.fromWire(text(event, "severity"));
        return deliveries.fanOut(eventId, type, text(event, "device_id"),
                (severity == null ? Severity.INFO : severity).ordinal(), payload)
                .invoke(created -> {
                    if (created > 0) {
                        worker.nudge();
                    }
                })
                .replaceWithVoid();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
