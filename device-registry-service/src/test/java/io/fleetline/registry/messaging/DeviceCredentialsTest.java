package io.fleetline.registry.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import io.fleetline.commons.testing.DynsecBroker;
import io.fleetline.registry.messaging.DeviceCredentials.MqttCredentials;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Device accounts against the real authenticated broker (deploy/mosquitto with dynamic security):
 * a device reaches its own topics only, unknown clients are refused, rotation and removal take
 * effect at once.
 */
@QuarkusTest
@QuarkusTestResource(value = DynsecBroker.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "device-registry-service"))
class DeviceCredentialsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    DeviceCredentials credentials;

    @Test
    void anIssuedDevicePublishesToItsOwnTopicsAndIsRefusedEverywhereElse() {
        String device = "cred-" + UUID.randomUUID();
        String other = "cred-" + UUID.randomUUID();
        MqttCredentials issued = issue(device);
        assertEquals(device, issued.username());
        assertEquals(device, issued.clientId());
        assertTrue(issued.password().length() >= 32, "password has at least 24 random bytes");

        List<String> seen = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient platform = platformClient();
        platform.toAsync().subscribeWith().topicFilter("devices/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> seen.add(p.getTopic() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().join();
        Mqtt5BlockingClient client = connect(issued.clientId(), issued.username(), issued.password());
        try {
            publish(client, "devices/" + device + "/telemetry", "{\"temperature\":21.5}");
            publish(client, "devices/" + device + "/commands/ack", "{\"command_id\":\"cmd_1\",\"status\":\"received\"}");
            assertThrows(Mqtt5PubAckException.class, () -> publish(client, "devices/" + other + "/telemetry", "{\"spoofed\":1}"));
            assertThrows(Mqtt5PubAckException.class, () -> publish(client, "devices/" + device + "/commands", "{}"));
            assertThrows(Mqtt5SubAckException.class, () -> client.subscribeWith().topicFilter("devices/" + other + "/commands").send());
            assertThrows(Mqtt5SubAckException.class, () -> client.subscribeWith().topicFilter("devices/+/commands").send());
            client.subscribeWith().topicFilter("devices/" + device + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
            client.subscribeWith().topicFilter("devices/" + device + "/config").qos(MqttQos.AT_LEAST_ONCE).send();

            await().atMost(WAIT).until(() -> seen.contains("devices/" + device + "/commands/ack {\"command_id\":\"cmd_1\",\"status\":\"received\"}"));
            assertTrue(seen.contains("devices/" + device + "/telemetry {\"temperature\":21.5}"), seen.toString());
            assertTrue(seen.stream().noneMatch(m -> m.contains("spoofed")), "the refused publish reached no one: " + seen);
        } finally {
            client.disconnect();
            platform.disconnect();
        }
    }

    @Test
    void unknownClientsAndWrongPasswordsAreRefused() {
        String device = "cred-" + UUID.randomUUID();
        issue(device);
        assertRefused(device, "nobody-" + UUID.randomUUID(), "whatever");
        assertRefused(device, device, "not-the-password");
        assertRefused(device, "", "");
    }

    @Test
    void rotatingIssuesANewPasswordAndTheOldOneStopsWorking() {
        String device = "cred-" + UUID.randomUUID();
        MqttCredentials first = issue(device);
        MqttCredentials second = issue(device);
        assertTrue(!first.password().equals(second.password()));
        assertRefused(device, device, first.password());
        connect(device, device, second.password()).disconnect();
    }

    @Test
    void removingDeletesTheAccountAndIsHarmlessTwice() {
        String device = "cred-" + UUID.randomUUID();
        MqttCredentials issued = issue(device);
        credentials.remove(device).await().atMost(WAIT);
        assertRefused(device, device, issued.password());
        credentials.remove(device).await().atMost(WAIT);
        // A device registered again under the same id gets a fresh, working account.
        connect(device, device, issue(device).password()).disconnect();
    }

    @Test
    void registrationShowsWorkingCredentialsOnceRotationReplacesThemAndDeleteRemovesThem() {
        String device = "cred-api-" + UUID.randomUUID();
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
        var registered = given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + device + "\",\"name\":\"c\"}")
                .when().post("/api/v1/devices").then().statusCode(201)
                .body("data.device_id", equalTo(device))
                .body("data.mqtt.username", equalTo(device))
                .body("data.mqtt.client_id", equalTo(device))
                .extract();
        String first = registered.path("data.mqtt.password");
        connect(device, device, first).disconnect();
        given().when().get("/api/v1/devices/" + device).then().statusCode(200).body("data.mqtt", nullValue());

        String second = given().when().post("/api/v1/devices/" + device + "/credentials/rotate")
                .then().statusCode(200).body("data.username", equalTo(device))
                .extract().path("data.password");
        assertRefused(device, device, first);
        connect(device, device, second).disconnect();

        given().when().delete("/api/v1/devices/" + device).then().statusCode(204);
        assertRefused(device, device, second);
        given().when().post("/api/v1/devices/" + device + "/credentials/rotate").then().statusCode(404);
    }

    private MqttCredentials issue(String device) {
        // The registry connects to the broker after start-up; the first request may race it.
        return await().atMost(WAIT).ignoreExceptions()
                .until(() -> credentials.issue(device).await().atMost(WAIT), c -> c != null);
    }

    private static Mqtt5BlockingClient platformClient() {
        Properties account = DynsecBroker.account("system-tests");
        return connect("probe-" + UUID.randomUUID(), account.getProperty("FLEETLINE_MQTT_USERNAME"),
                account.getProperty("FLEETLINE_MQTT_PASSWORD"));
    }

    private static Mqtt5BlockingClient connect(String clientId, String username, String password) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(DynsecBroker.port())
                .simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connectWith().cleanStart(true).send();
        return client;
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static void assertRefused(String clientId, String username, String password) {
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, () -> connect(clientId, username, password));
        assertTrue(refused.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                || refused.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
                "refused as unauthorised, was " + refused.getMqttMessage().getReasonCode());
    }
}
