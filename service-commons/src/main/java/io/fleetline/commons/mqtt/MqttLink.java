package io.fleetline.commons.mqtt;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * The service's one MQTT connection (Vert.x MQTT client). Unlike the messaging connector it
 * completes a QoS 1 publish only at the broker's PUBACK, and it acknowledges an incoming QoS 1
 * message only after its handler succeeded, so a crash in between means redelivery, not loss.
 * It reconnects on its own and subscribes again after every connect.
 */
@ApplicationScoped
public class MqttLink {

    private static final Logger LOG = Logger.getLogger(MqttLink.class);
    private static final Object EARLY_ACK = new Object();

    private final Vertx vertx;
    private final MqttConfig config;
    private final String clientId;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    /**
     * Per packet id, either the promise of a publish waiting for its PUBACK or the outcome of a
     * PUBACK that arrived first: the write-completion callback runs on the caller's context, so
     * when a publish is issued from another event loop (a database callback) the broker's PUBACK
     * can be handled before the promise is registered; without this the publish never completes.
     */
    private final Map<Integer, Object> awaitingPuback = new ConcurrentHashMap<>();
    private volatile MqttClient client;
    private volatile boolean connected;
    private volatile boolean stopped;
    private final AtomicBoolean reconnectScheduled = new AtomicBoolean();
    /** Messages handed to a handler whose outcome is not known yet (see {@link MqttConfig#maxUnsettled()}). */
    private final AtomicInteger unsettled = new AtomicInteger();

    MqttLink(Vertx vertx, MqttConfig config, @ConfigProperty(name = "quarkus.application.name") String application) {
        this.vertx = vertx;
        this.config = config;
        this.clientId = config.clientId().orElse(application + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    void start(@Observes StartupEvent event) {
        connect();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        MqttClient current = client;
        if (current != null && connected) {
            current.disconnect();
        }
    }

    /** Whether the broker connection is up. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Subscribes {@code handler} to {@code filter} at QoS 1, now and after every reconnect. Each
     * message is acknowledged when the handler's {@code Uni} succeeds; on failure it stays
     * unacknowledged and the broker redelivers it when the session resumes.
     */
    public void subscribe(String filter, Function<MqttPublishMessage, Uni<Void>> handler) {
        Subscription subscription = new Subscription(filter, handler);
        subscriptions.add(subscription);
        MqttClient current = client;
        if (current != null && connected) {
            current.subscribe(filter, MqttQoS.AT_LEAST_ONCE.value());
        }
    }

    /** Publishes at QoS 1; the {@code Uni} completes when the broker acknowledged (PUBACK). */
    public Uni<Void> publish(String topic, Buffer payload, boolean retain) {
        return Uni.createFrom().emitter(emitter -> {
            MqttClient current = client;
            if (current == null || !connected) {
                emitter.fail(new IllegalStateException("MQTT broker not connected"));
                return;
            }
            current.publish(topic, payload, MqttQoS.AT_LEAST_ONCE, false, retain).onComplete(sent -> {
                if (sent.failed()) {
                    emitter.fail(sent.cause());
                    return;
                }
                Promise<Void> acked = Promise.promise();
                Object early = awaitingPuback.compute(sent.result(), (id, prior) -> prior == null ? acked : null);
                if (early != acked) {
                    acked.complete();
                }
                acked.future().onComplete(ack -> {
                    if (ack.succeeded()) {
                        emitter.complete(null);
                    } else {
                        emitter.fail(ack.cause());
                    }
                });
            });
        });
    }

    private void connect() {
        if (stopped) {
            return;
        }
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(clientId)
                .setCleanSession(config.cleanSession())
                .setAutoKeepAlive(true)
                .setKeepAliveInterval(30)
                .setAckTimeout((int) Math.max(1, config.ackTimeout().toSeconds()))
                .setMaxInflightQueue(config.maxInflight())
                // Netty's MqttDecoder (4.1.1xx) reports "message length exceeds <max>" and the
                // connection closes whenever a variable header is split across TCP reads and the
                // limit is below Integer.MAX_VALUE (its replaying buffer claims ~2^31 readable
                // bytes), which happens under load; its default of 8092 bytes also refuses larger
                // messages for good. So the client takes what the broker forwards; the broker's
                // message_size_limit bounds it, and handlers refuse oversize payloads themselves.
                .setMaxMessageSize(Integer.MAX_VALUE);
        options.setAutoAck(false);
        config.username().ifPresent(options::setUsername);
        config.password().ifPresent(options::setPassword);
        MqttClient fresh = MqttClient.create(vertx, options);
        fresh.publishHandler(this::dispatch);
        fresh.publishCompletionHandler(packetId -> settle(packetId, null));
        fresh.publishCompletionExpirationHandler(packetId -> settle(packetId, "PUBACK timed out"));
        fresh.closeHandler(closed -> onDisconnect());
        // Without a handler, a failure inside the connection (which then closes) would go unlogged.
        fresh.exceptionHandler(failure -> LOG.warnf(failure, "MQTT connection failed"));
        client = fresh;
        fresh.connect(config.port(), config.host()).onComplete(result -> {
            if (result.failed() || result.result().code().byteValue() != 0) {
                LOG.warnf("MQTT connect to %s:%d failed: %s", config.host(), config.port(),
                        result.failed() ? result.cause().getMessage() : result.result().code());
                scheduleReconnect();
                return;
            }
            connected = true;
            LOG.infof("MQTT connected to %s:%d as %s", config.host(), config.port(), clientId);
            if (!subscriptions.isEmpty()) {
                fresh.subscribe(subscriptions.stream()
                        .collect(Collectors.toMap(Subscription::filter, s -> MqttQoS.AT_LEAST_ONCE.value(),
                                (a, b) -> a)));
            }
        });
    }

    private void onDisconnect() {
        boolean wasConnected = connected;
        connected = false;
        awaitingPuback.keySet().forEach(packetId -> settle(packetId, "MQTT connection lost"));
        if (wasConnected) {
            LOG.warnf("MQTT connection to %s:%d lost", config.host(), config.port());
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        // A refused CONNACK also closes the socket: both paths land here, one retry is enough.
        if (!stopped && reconnectScheduled.compareAndSet(false, true)) {
            vertx.setTimer(config.reconnectDelay().toMillis(), id -> {
                reconnectScheduled.set(false);
                connect();
            });
        }
    }

    private void settle(int packetId, String failure) {
        Object[] waiting = new Object[1];
        awaitingPuback.compute(packetId, (id, prior) -> {
            if (prior instanceof Promise<?>) {
                waiting[0] = prior;
                return null;
            }
            // the PUBACK beat the write callback: leave the outcome for publish() to pick up
            return prior == null && failure == null ? EARLY_ACK : prior;
        });
        if (waiting[0] != null) {
            @SuppressWarnings("unchecked")
            Promise<Void> promise = (Promise<Void>) waiting[0];
            complete(promise, failure);
        }
    }

    private static void complete(Promise<Void> promise, String failure) {
        if (failure == null) {
            promise.complete();
        } else {
            promise.fail(failure);
        }
    }

    private void dispatch(MqttPublishMessage message) {
        for (Subscription subscription : subscriptions) {
            if (TopicFilter.matches(subscription.filter(), message.topicName())) {
                MqttClient receiving = client;
                if (unsettled.incrementAndGet() >= config.maxUnsettled() && !receiving.isPaused()) {
                    receiving.pause();
                    // the handlers may all have settled while it paused
                    settled(receiving, 0);
                }
                subscription.handler().apply(message).onTermination().invoke(() -> settled(receiving, 1)).subscribe().with(
                        // After a lost connection the broker redelivers the message anyway.
                        done -> {
                            if (connected) {
                                message.ack();
                            }
                        },
                        failure -> LOG.warnf("Handling a message on %s failed, left unacknowledged: %s",
                                message.topicName(), failure.getMessage()));
                return;
            }
        }
        message.ack();
    }

    /** {@code count} more messages settled; reading resumes once half of the limit is unsettled. */
    private void settled(MqttClient receiving, int count) {
        if (unsettled.addAndGet(-count) <= config.maxUnsettled() / 2 && receiving.isPaused()) {
            receiving.resume();
        }
    }

    private record Subscription(String filter, Function<MqttPublishMessage, Uni<Void>> handler) {
    }
}
