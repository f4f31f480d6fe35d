package io.fleetline.registry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.testing.PlatformBroker;
import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Device accounts against the platform's real broker (deploy/mosquitto: the device-account plugin
 * reading this test database, dynamic security for services): registration issues a working
 * password stored only as its hash, a device reaches its own topics only, unknown clients are
 * refused, and rotation and deletion take effect at once, closing open sessions.
 */
@QuarkusTest
@QuarkusTestResource(value = PlatformBroker.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "device-registry-service"))
class DeviceCredentialsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Test
    void registrationIssuesAPasswordThatIsStoredOnlyAsItsHash() {
        String device = "cred-" + UUID.randomUUID();
        var registered = given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + device + "\",\"name\":\"c\"}")
                .when().post("/api/v1/devices").then().statusCode(201)
                .body("data.device_id", equalTo(device))
                .body("data.mqtt.username", equalTo(device))
                .body("data.mqtt.client_id", equalTo(device))
                .body("message", equalTo("Device registered. Its MQTT password is shown only once."))
                .extract();
        String password = registered.path("data.mqtt.password");
        assertTrue(password.length() >= 32, "password has at least 24 random bytes");
        var stored = TestDevices.query(pool, "SELECT password_sha256 FROM registry.device_credentials WHERE device_id = $1",
                device).iterator().next().getString(0);
        assertEquals(ApiKeys.hash(password), stored);
        given().when().get("/api/v1/devices/" + device).then().statusCode(200).body("data.mqtt", nullValue());
        PlatformBroker.connect(device, device, password).disconnect();
    }

    @Test
    void registrationsArrivingTogetherEachGetTheirOwnAccountAndARepeatedIdOneConflictPerRepeat() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add("cred-" + run + "-" + i);
        }
        String repeated = "cred-" + run + "-repeated";
        for (int i = 0; i < 6; i++) {
            ids.add(repeated);
        }
        Collections.shuffle(ids);
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
            for (String id : ids) {
                answers.add(clients.submit(() -> given().contentType(ContentType.JSON)
                        .body("{\"device_id\":\"" + id + "\",\"name\":\"c\",\"config\":{\"sample_interval_s\":60}}")
                        .when().post("/api/v1/devices").then().extract()));
            }
            Map<String, String> passwords = new HashMap<>();
            int conflicts = 0;
            for (int i = 0; i < ids.size(); i++) {
                ExtractableResponse<Response> answer = answers.get(i).get(30, TimeUnit.SECONDS);
                if (answer.statusCode() == 409) {
                    assertEquals(repeated, ids.get(i));
                    assertEquals("Device '" + repeated + "' already exists.", answer.path("error.message"));
                    conflicts++;
                } else {
                    assertEquals(201, answer.statusCode(), answer.asString());
                    assertEquals(ids.get(i), answer.path("data.device_id"));
                    assertEquals(ids.get(i), answer.path("data.mqtt.username"));
                    assertEquals(null, passwords.put(ids.get(i), answer.path("data.mqtt.password")));
                }
            }
            assertEquals(5, conflicts);
            assertEquals(31, passwords.size());
            String repeatedPassword = passwords.get(repeated);
            for (var row : TestDevices.query(pool, "SELECT c.device_id, c.password_sha256, d.config->>'sample_interval_s'"
                    + " FROM registry.device_credentials c JOIN registry.devices d USING (device_id)"
                    + " WHERE c.device_id LIKE $1", "cred-" + run + "-%")) {
                assertEquals(ApiKeys.hash(passwords.remove(row.getString(0))), row.getString(1), row.getString(0));
                assertEquals("60", row.getString(2));
            }
            assertTrue(passwords.isEmpty(), "every registered device has its account: " + passwords.keySet());
            assertEquals(31, TestDevices.count(pool, "SELECT count(*) FROM registry.outbox"
                    + " WHERE topic = 'platform/events/device_registered' AND payload::jsonb->>'device_id' LIKE $1", "cred-" + run + "-%"));
            // The one answer that registered the repeated id carries the password the broker accepts.
            PlatformBroker.connect(repeated, repeated, repeatedPassword).disconnect();
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aDevicePublishesToItsOwnTopicsAndIsRefusedEverywhereElse() {
        String device = "cred-" + UUID.randomUUID();
        String other = "cred-" + UUID.randomUUID();
        String password = register(device);
        Mqtt5BlockingClient neighbour = PlatformBroker.connect(other, other, register(other));

        List<String> seen = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient platform = platformClient();
        platform.toAsync().subscribeWith().topicFilter("devices/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> seen.add(p.getTopic() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().join();
        Mqtt5BlockingClient client = PlatformBroker.connect(device, device, password);
        try {
            PlatformBroker.publish(client, "devices/" + device + "/telemetry", "{\"temperature\":21.5}");
            PlatformBroker.publish(client, "devices/" + device + "/commands/ack", "{\"command_id\":\"cmd_1\",\"status\":\"received\"}");
            assertThrows(Mqtt5PubAckException.class, () -> PlatformBroker.publish(client, "devices/" + other + "/telemetry", "{\"spoofed\":1}"));
            assertThrows(Mqtt5PubAckException.class, () -> PlatformBroker.publish(client, "devices/" + device + "/commands", "{}"));
            assertThrows(Mqtt5PubAckException.class, () -> PlatformBroker.publish(client, "platform/events/device_offline", "{}"));
            // The control topic that closes devices' sessions is the registry's alone.
            assertThrows(Mqtt5PubAckException.class, () -> PlatformBroker.publish(client, "$CONTROL/fleetline-devices/v1", other));
            assertThrows(Mqtt5SubAckException.class, () -> client.subscribeWith().topicFilter("devices/" + other + "/commands").send());
            assertThrows(Mqtt5SubAckException.class, () -> client.subscribeWith().topicFilter("devices/+/commands").send());
            assertThrows(Mqtt5SubAckException.class, () -> client.subscribeWith().topicFilter("devices/" + device + "/#").send());
            client.subscribeWith().topicFilter("devices/" + device + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
            client.subscribeWith().topicFilter("devices/" + device + "/config").qos(MqttQos.AT_LEAST_ONCE).send();

            await().atMost(WAIT).until(() -> seen.contains("devices/" + device + "/commands/ack {\"command_id\":\"cmd_1\",\"status\":\"received\"}"));
            assertTrue(seen.contains("devices/" + device + "/telemetry {\"temperature\":21.5}"), seen.toString());
            assertTrue(seen.stream().noneMatch(m -> m.contains("spoofed")), "the refused publish reached no one: " + seen);
            assertTrue(neighbour.getState().isConnected(), "the refused control request closed no session");
        } finally {
            client.disconnect();
            neighbour.disconnect();
            platform.disconnect();
        }
    }

    @Test
    void unknownClientsWrongPasswordsAndBorrowedClientIdsAreRefused() {
        String device = "cred-" + UUID.randomUUID();
        String password = register(device);
        assertRefused(device, "nobody-" + UUID.randomUUID(), "whatever");
        assertRefused(device, device, "not-the-password");
        assertRefused("other-" + UUID.randomUUID(), device, password);
        assertRefused(device, "", "");
        PlatformBroker.connect(device, device, password).disconnect();
    }

    @Test
    void rotatingIssuesANewPasswordClosesTheOpenSessionAndTheOldPasswordStopsWorking() {
        String device = "cred-" + UUID.randomUUID();
        String first = register(device);
        Mqtt5BlockingClient session = PlatformBroker.connect(device, device, first);

        String second = given().when().post("/api/v1/devices/" + device + "/credentials/rotate")
                .then().statusCode(200).body("data.username", equalTo(device))
                .extract().path("data.password");
        assertFalse(first.equals(second));
        await().atMost(WAIT).until(() -> !session.getState().isConnected());
        assertRefused(device, device, first);
        PlatformBroker.connect(device, device, second).disconnect();
    }

    @Test
    void deletingClosesTheSessionAndRemovesTheAccountAndRegisteringAgainGivesAFreshOne() {
        String device = "cred-" + UUID.randomUUID();
        String password = register(device);
        Mqtt5BlockingClient session = PlatformBroker.connect(device, device, password);

        given().when().delete("/api/v1/devices/" + device).then().statusCode(204);
        await().atMost(WAIT).until(() -> !session.getState().isConnected());
        assertRefused(device, device, password);
        assertEquals(0, TestDevices.count(pool, "SELECT count(*) FROM registry.device_credentials WHERE device_id = $1", device));
        given().when().post("/api/v1/devices/" + device + "/credentials/rotate").then().statusCode(404);

        String again = register(device);
        assertRefused(device, device, password);
        PlatformBroker.connect(device, device, again).disconnect();
    }

    private static String register(String device) {
        return given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + device + "\",\"name\":\"c\"}")
                .when().post("/api/v1/devices").then().statusCode(201)
                .extract().path("data.mqtt.password");
    }

    private static Mqtt5BlockingClient platformClient() {
        Properties account = PlatformBroker.account("system-tests");
        return PlatformBroker.connect("probe-" + UUID.randomUUID(), account.getProperty("FLEETLINE_MQTT_USERNAME"),
                account.getProperty("FLEETLINE_MQTT_PASSWORD"));
    }


    private static void assertRefused(String clientId, String username, String password) {
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, () -> PlatformBroker.connect(clientId, username, password));
        assertTrue(refused.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                || refused.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
                "refused as unauthorised, was " + refused.getMqttMessage().getReasonCode());
    }
}
