package io.fleetline.ingest.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.testing.PlatformBroker;
import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The bridge on the platform's authenticated broker (deploy/mosquitto: device accounts in PostgreSQL, dynamic security for services): it
 * connects with its service account, a registered device's readings are stored, and the broker
 * refuses a device's publish into another device's topic and a client it does not know.
 */
@QuarkusTest
@QuarkusTestResource(value = PlatformBroker.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "ingest-bridge"))
class AuthenticatedBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Inject
    MqttLink link;

    @Test
    void aDevicesReadingsAreStoredAndItsPublishIntoAnotherDevicesTopicIsRefused() {
        await().atMost(WAIT).until(link::isConnected);
        String device = TestDevices.register(pool, "auth");
        String victim = TestDevices.register(pool, "auth-victim");
        Mqtt5BlockingClient client = PlatformBroker.connect(device, device, TestDevices.mqttPassword(pool, device));
        try {
            PlatformBroker.publish(client, "devices/" + device + "/telemetry", "{\"temperature\":21.5}");
            assertThrows(Mqtt5PubAckException.class,
                    () -> PlatformBroker.publish(client, "devices/" + victim + "/telemetry", "{\"temperature\":99.9}"));
            // Published after the refused one: once it is stored, the refused one would have been too.
            PlatformBroker.publish(client, "devices/" + device + "/telemetry", "{\"temperature\":22.5}");

            await().atMost(WAIT).until(() -> rows(device) == 2);
            assertEquals(0, rows(victim), "nothing reached the other device's readings");
        } finally {
            client.disconnect();
        }
    }

    @Test
    void unknownClientsAreRefusedAtConnect() {
        String device = TestDevices.register(pool, "auth-unknown");
        assertThrows(Mqtt5ConnAckException.class, () -> PlatformBroker.connect(device, "nobody-" + UUID.randomUUID(), "guess"));
        assertThrows(Mqtt5ConnAckException.class, () -> PlatformBroker.connect(device, device, "no-account-yet"));
        assertEquals(0, rows(device));
    }

    private long rows(String deviceId) {
        return TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings WHERE device_id = $1", deviceId);
    }

}
