package io.fleetline.commons.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

/**
 * A test's own MQTT client (HiveMQ): records what arrives on the filters it subscribed to and
 * publishes like a device would. Connects to {@code fleetline.mqtt.host/port} of the test
 * profile, or the system properties of the same names.
 */
public final class MqttProbe implements AutoCloseable {

    private final Mqtt3Client client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private MqttProbe(String clientId, String username, String password) {
        var builder = MqttClient.builder().useMqttVersion3()
                .identifier(clientId)
                .serverHost(System.getProperty("fleetline.mqtt.host", "127.0.0.1"))
                .serverPort(Integer.getInteger("fleetline.mqtt.port", 1883));
        if (username != null) {
            builder = builder.simpleAuth().username(username)
                    .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
        }
        this.client = builder.build();
    }

    /** A connected probe with a random client id and the broker's anonymous access. */
    public static MqttProbe connect() {
        return connect("probe-" + UUID.randomUUID(), null, null);
    }

    /** A connected probe with the given identity. */
    public static MqttProbe connect(String clientId, String username, String password) {
        MqttProbe probe = new MqttProbe(clientId, username, password);
        probe.client.toBlocking().connectWith().cleanSession(true).send();
        return probe;
    }

    /** Subscribes at QoS 1 and records every message that arrives on {@code filter}. */
    public MqttProbe subscribe(String filter) {
        client.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                .callback(this::record).send().join();
        return this;
    }

    /** Publishes {@code payload} at QoS 1 and returns after the broker's PUBACK. */
    public void publish(String topic, String payload, boolean retain) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), retain);
    }

    /** Publishes raw bytes at QoS 1 and returns after the broker's PUBACK. */
    public void publish(String topic, byte[] payload, boolean retain) {
        Mqtt3BlockingClient blocking = client.toBlocking();
        blocking.publishWith().topic(topic).payload(payload).qos(MqttQos.AT_LEAST_ONCE).retain(retain).send();
    }

    /** Everything received so far. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** What was received on exactly {@code topic}. */
    public List<Received> receivedOn(String topic) {
        return received.stream().filter(message -> message.topic().equals(topic)).toList();
    }

    /** What was received whose payload contains {@code text}. */
    public List<Received> receivedContaining(String text) {
        return received.stream().filter(message -> message.payload().contains(text)).toList();
    }

    private void record(Mqtt3Publish publish) {
        received.add(new Received(publish.getTopic().toString(),
                new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), publish.isRetain()));
    }

    @Override
    public void close() {
        client.toAsync().disconnect().orTimeout(5, TimeUnit.SECONDS);
    }

    /** One message as it arrived. */
    public record Received(String topic, String payload, boolean retained) {
    }
}
