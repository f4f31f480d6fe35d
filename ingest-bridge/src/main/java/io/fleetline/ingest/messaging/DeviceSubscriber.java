package io.fleetline.ingest.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.mqtt.TopicFilter;
import io.fleetline.commons.readings.IncomingReading;
import io.fleetline.commons.readings.ReadingBatcher;
import io.fleetline.commons.readings.ReadingParser;
import io.fleetline.commons.readings.ReadingRejectedException;
import io.fleetline.commons.readings.ReadingWriter;
import io.fleetline.commons.readings.ReadingWriter.Outcome;
import io.fleetline.commons.readings.RejectReason;
import io.fleetline.ingest.config.IngestConfig;
import io.fleetline.ingest.store.PresenceStore;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * The bridge's MQTT side: {@code devices/+/telemetry} into batches (a batch that fails to commit
 * is resubmitted with back-off while its messages stay unacknowledged), {@code devices/+/status}
 * into presence, and the periodic search for silent devices. A bad message is counted by reason,
 * logged with its topic and size only, and acknowledged, so it never stops the stream.
 */
@ApplicationScoped
public class DeviceSubscriber {

    private static final Logger LOG = Logger.getLogger(DeviceSubscriber.class);

    private final MqttLink mqtt;
    private final ReadingBatcher batcher;
    private final ReadingWriter writer;
    private final PresenceStore presence;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final Vertx vertx;

    DeviceSubscriber(MqttLink mqtt, ReadingBatcher batcher, ReadingWriter writer, PresenceStore presence,
            IngestMetrics metrics, IngestConfig config, Vertx vertx) {
        this.mqtt = mqtt;
        this.batcher = batcher;
        this.writer = writer;
        this.presence = presence;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        String share = "$share/" + config.shareGroup() + "/";
        mqtt.subscribe(share + "devices/+/telemetry", this::onTelemetry);
        mqtt.subscribe(share + "devices/+/status", this::onStatus);
        vertx.setPeriodic(config.presenceCheckInterval().toMillis(), id -> checkSilentDevices());
    }

    Uni<Void> onTelemetry(MqttPublishMessage message) {
        String topic = message.topicName();
        if (message.isRetain()) {
            // Replayed by the broker on (re)subscribe: stored when it was published, not new data.
            metrics.retainedSkipped();
            return Uni.createFrom().voidItem();
        }
        byte[] payload = message.payload().getBytes();
        try {
            IncomingReading reading = ReadingParser.parse(deviceOf(topic), payload, Instant.now());
            // Until its batch commits the message stays unacknowledged: a crash means redelivery.
            return batcher.submit(reading)
                    .onFailure().recoverWithUni(failure -> resubmit(reading))
                    .invoke(outcome -> stored(reading, outcome, topic, payload.length))
                    .replaceWithVoid();
        } catch (ReadingRejectedException e) {
            return rejected(e.reason(), topic, payload.length);
        }
    }

    /**
     * Submits a reading whose batch failed to commit again, with back-off, until it is stored;
     * every failed attempt is counted. Built only after a failure: built for every message, the
     * retrying pipeline cost about a tenth of the bridge's CPU at 10,000 readings/s.
     */
    private Uni<Outcome> resubmit(IncomingReading reading) {
        metrics.commitFailed();
        return batcher.submit(reading)
                .onFailure().invoke(metrics::commitFailed)
                .onFailure().retry().withBackOff(Duration.ofMillis(100), config.maxRetryDelay()).indefinitely();
    }

    Uni<Void> onStatus(MqttPublishMessage message) {
        String topic = message.topicName();
        if (message.isRetain()) {
            metrics.retainedSkipped();
            return Uni.createFrom().voidItem();
        }
        byte[] payload = message.payload().getBytes();
        Instant received = Instant.now();
        String deviceId;
        JsonNode status;
        try {
            deviceId = deviceOf(topic);
            if (payload.length > ReadingParser.MAX_READING_BYTES) {
                throw new ReadingRejectedException(RejectReason.OVERSIZE, "too large");
            }
            status = ReadingParser.readTree(payload);
        } catch (ReadingRejectedException e) {
            return rejected(e.reason(), topic, payload.length);
        }
        String state = status.path("state").asText("");
        Instant at = received;
        if (status.has("ts")) {
            JsonNode ts = status.get("ts");
            at = ts.isIntegralNumber() ? Instant.ofEpochMilli(ts.longValue())
                    : ts.isTextual() ? ReadingParser.parseInstant(ts.textValue()) : null;
        }
        if (at == null || !(state.equals("online") || state.equals("offline"))) {
            return rejected(RejectReason.INVALID_STATUS, topic, payload.length);
        }
        if (state.equals("online")) {
            return writer.touch(Set.of(deviceId)).invoke(known -> {
                if (known.isEmpty()) {
                    metrics.rejected(RejectReason.UNKNOWN_DEVICE);
                }
            }).replaceWithVoid();
        }
        return presence.offline(deviceId, at).replaceWithVoid();
    }

    private void stored(IncomingReading reading, Outcome outcome, String topic, int size) {
        switch (outcome.status()) {
            case STORED -> metrics.stored(reading.ts() != null ? reading.ts() : reading.receivedAt(), Instant.now());
            case DUPLICATE -> metrics.duplicate();
            case UNKNOWN_DEVICE -> {
                metrics.rejected(RejectReason.UNKNOWN_DEVICE);
                LOG.debugf("Dropped a reading of an unregistered device on %s (%d bytes)", topic, size);
            }
        }
    }

    private Uni<Void> rejected(RejectReason reason, String topic, int size) {
        metrics.rejected(reason);
        LOG.infof("Rejected a message on %s (%d bytes): %s", topic, size, reason.label());
        return Uni.createFrom().voidItem();
    }

    /** The device id of {@code devices/{id}/...}, which must be a valid device id. */
    private static String deviceOf(String topic) {
        String id = TopicFilter.level(topic, 1);
        if (id == null || !ReadingParser.DEVICE_ID.matcher(id).matches()) {
            throw new ReadingRejectedException(RejectReason.INVALID_TOPIC, "Topic must name a valid device id.");
        }
        return id;
    }

    private void checkSilentDevices() {
        presence.sweepSilent()
                .chain(presence::countOnline)
                .subscribe().with(metrics::online,
                        failure -> LOG.warnf("Looking for silent devices failed: %s", failure.getMessage()));
    }
}
