package io.fleetline.registry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.testing.MqttProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class CommandTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Inject
    ObjectMapper json;

    @Inject
    MqttLink link;

    @ConfigProperty(name = "fleetline.mqtt.client-id")
    String clientId;

    private static String registered() {
        String id = "cmd-" + UUID.randomUUID().toString().substring(0, 12);
        given().contentType(ContentType.JSON).body("{\"device_id\":\"" + id + "\",\"name\":\"c\"}")
                .when().post("/api/v1/devices").then().statusCode(201);
        return id;
    }

    private static String send(String id, String body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(201)
                .body("data.status", equalTo("pending"))
                .extract().path("data.command_id");
    }

    private static String status(String id, String commandId) {
        return given().when().get("/api/v1/devices/" + id + "/commands/" + commandId)
                .then().statusCode(200).extract().path("data.status");
    }

    private static void comesOnline(MqttProbe probe, String id) {
        // what the ingest-bridge emits when the device's status turns online
        probe.publish("platform/events/device_online", "{\"event\":\"device_online\",\"event_id\":\"evt_" + UUID.randomUUID()
                + "\",\"device_id\":\"" + id + "\",\"timestamp\":\"2026-03-10T15:10:00Z\",\"severity\":\"info\"}", false);
    }

    @Test
    void aCommandToAnOfflineDeviceWaitsForOnlineThenIsDeliveredAndSucceedsFromRealAcks() throws Exception {
        String id = registered();
        String topic = "devices/" + id + "/commands";
        try (MqttProbe device = MqttProbe.connect().subscribe(topic);
                MqttProbe events = MqttProbe.connect().subscribe("platform/events/command_status_changed")) {
            String commandId = send(id, "{\"command\":\"reboot\",\"params\":{\"delay_s\":5},\"ttl_s\":600}");

            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> device.receivedOn(topic).isEmpty());
            assertEquals("pending", status(id, commandId));

            comesOnline(device, id);
            await().atMost(BOUND).until(() -> device.receivedOn(topic).size() == 1);
            JsonNode sent = json.readTree(device.receivedOn(topic).get(0).payload());
            assertEquals(commandId, sent.get("command_id").asText());
            assertEquals("reboot", sent.get("command").asText());
            assertEquals(5, sent.get("params").get("delay_s").asInt());
            assertTrue(sent.get("expires_at").asText().endsWith("Z"));
            await().atMost(BOUND).until(() -> status(id, commandId).equals("sent"));

            // not acknowledged yet: a reconnect sends it again (devices deduplicate by command_id)
            comesOnline(device, id);
            await().atMost(BOUND).until(() -> device.receivedOn(topic).size() == 2);

            device.publish(topic + "/ack", "{\"command_id\":\"" + commandId + "\",\"status\":\"received\"}", false);
            await().atMost(BOUND).until(() -> status(id, commandId).equals("delivered"));

            comesOnline(device, id);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> device.receivedOn(topic).size() == 2);

            device.publish(topic + "/ack", "{\"command_id\":\"" + commandId
                    + "\",\"status\":\"succeeded\",\"result\":{\"uptime_s\":3}}", false);
            await().atMost(BOUND).until(() -> status(id, commandId).equals("succeeded"));

            given().when().get("/api/v1/devices/" + id + "/commands/" + commandId)
                    .then().statusCode(200)
                    .body("data.command", equalTo("reboot"))
                    .body("data.params", equalTo(Map.of("delay_s", 5)))
                    .body("data.created_at", notNullValue())
                    .body("data.sent_at", notNullValue())
                    .body("data.delivered_at", notNullValue())
                    .body("data.completed_at", notNullValue())
                    .body("data.expired_at", nullValue())
                    .body("data.result", equalTo(Map.of("uptime_s", 3)));

            await().atMost(BOUND).until(() -> events.receivedContaining(commandId).size() >= 4);
            List<String> transitions = events.receivedContaining(commandId).stream()
                    .map(message -> message.payload().replaceAll(".*\"status\":\"([a-z]+)\".*", "$1"))
                    .distinct().toList();
            assertEquals(List.of("pending", "sent", "delivered", "succeeded"), transitions);
        }
    }

    @Test
    void aCommandWithATwoSecondTtlToASilentDeviceEndsExpired() {
        String id = registered();
        String topic = "devices/" + id + "/commands";
        try (MqttProbe device = MqttProbe.connect().subscribe(topic);
                MqttProbe events = MqttProbe.connect().subscribe("platform/events/command_status_changed")) {
            String commandId = send(id, "{\"command\":\"blink\",\"ttl_s\":2}");
            await().atMost(BOUND).until(() -> status(id, commandId).equals("expired"));
            given().when().get("/api/v1/devices/" + id + "/commands/" + commandId)
                    .then().statusCode(200)
                    .body("data.expired_at", notNullValue())
                    .body("data.sent_at", nullValue());
            await().atMost(BOUND).until(() -> events.receivedContaining(commandId).stream()
                    .anyMatch(message -> message.payload().contains("\"status\":\"expired\"")));

            // coming online after the TTL sends nothing, and a late ack changes nothing
            comesOnline(device, id);
            device.publish(topic + "/ack", "{\"command_id\":\"" + commandId + "\",\"status\":\"succeeded\"}", false);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> device.receivedOn(topic).isEmpty() && status(id, commandId).equals("expired"));
        }
    }

    @Test
    void aCommandToAnOnlineDeviceIsSentAtOnce() {
        String id = registered();
        // connectivity is written by the readings writer; stage what it records when the device is heard
        Db.execute(pool, "UPDATE registry.devices SET connectivity = 'online' WHERE device_id = $1", id);
        String topic = "devices/" + id + "/commands";
        try (MqttProbe device = MqttProbe.connect().subscribe(topic)) {
            String commandId = given().contentType(ContentType.JSON).body("{\"command\":\"ota.check\"}")
                    .when().post("/api/v1/devices/" + id + "/command")
                    .then().statusCode(201).body("data.ttl_s", equalTo(3600))
                    .extract().path("data.command_id");
            await().atMost(BOUND).until(() -> device.receivedContaining(commandId).size() == 1);
            await().atMost(BOUND).until(() -> status(id, commandId).equals("sent"));

            device.publish(topic + "/ack", "{\"command_id\":\"" + commandId
                    + "\",\"status\":\"failed\",\"result\":\"no update server\"}", false);
            await().atMost(BOUND).until(() -> status(id, commandId).equals("failed"));
            given().when().get("/api/v1/devices/" + id + "/commands/" + commandId)
                    .then().body("data.result", equalTo("no update server"));
        }
    }

    @Test
    void anAckPublishedWhileTheRegistryIsAwayIsAppliedWhenItReturns() {
        String id = registered();
        Db.execute(pool, "UPDATE registry.devices SET connectivity = 'online' WHERE device_id = $1", id);
        String commandId = send(id, "{\"command\":\"reboot\"}");
        await().atMost(BOUND).until(() -> status(id, commandId).equals("sent"));
        await().atMost(BOUND).until(link::isConnected);
        // A client taking over the registry's client id disconnects it; its persistent session,
        // subscriptions included, stays with the broker and queues what arrives meanwhile.
        Mqtt3BlockingClient takeover = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(1883).buildBlocking();
        takeover.connectWith().cleanSession(false).send();
        await().atMost(BOUND).until(() -> !link.isConnected());
        takeover.disconnect();
        try (MqttProbe device = MqttProbe.connect()) {
            device.publish("devices/" + id + "/commands/ack", "{\"command_id\":\"" + commandId
                    + "\",\"status\":\"succeeded\",\"result\":\"rebooted\"}", false);
        }
        assertFalse(link.isConnected(), "the ack was published while the registry was disconnected");

        await().atMost(BOUND).until(() -> status(id, commandId).equals("succeeded"));
    }

    @Test
    void acksForUnknownCommandsOrOtherDevicesAreCountedAndIgnored() {
        String id = registered();
        String other = registered();
        String commandId = send(id, "{\"command\":\"reboot\"}");
        double unknownBefore = ignored("unknown");
        double otherBefore = ignored("other_device");
        try (MqttProbe device = MqttProbe.connect()) {
            device.publish("devices/" + id + "/commands/ack", "{\"command_id\":\"cmd_nope" + UUID.randomUUID()
                    + "\",\"status\":\"received\"}", false);
            device.publish("devices/" + other + "/commands/ack", "{\"command_id\":\"" + commandId
                    + "\",\"status\":\"succeeded\"}", false);
        }
        await().atMost(BOUND).until(() -> ignored("unknown") >= unknownBefore + 1
                && ignored("other_device") >= otherBefore + 1);
        assertEquals("pending", status(id, commandId));
    }

    @Test
    void commandsAreListedNewestFirstWithStatusFilterAndPaging() {
        String id = registered();
        String first = send(id, "{\"command\":\"a\"}");
        String second = send(id, "{\"command\":\"b\"}");
        Db.execute(pool, "UPDATE registry.commands SET status = 'failed' WHERE command_id = $1", first);

        given().queryParam("limit", 1).when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("data[0].command_id", equalTo(second))
                .body("pagination.total", equalTo(2))
                .body("pagination.has_more", equalTo(true));
        given().queryParam("status", "failed").when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200).body("count", equalTo(1)).body("data[0].command_id", equalTo(first));
        given().queryParam("status", "lost").when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(400).body("error.message",
                        equalTo("Field 'status' must be one of pending, sent, delivered, succeeded, failed, expired."));
        given().when().get("/api/v1/devices/" + id + "/commands/cmd_missing")
                .then().statusCode(404).body("error.message", equalTo("Command 'cmd_missing' not found."));
        given().when().get("/api/v1/devices/nobody-" + UUID.randomUUID() + "/commands").then().statusCode(404);
    }

    @Test
    void badCommandPagingNamesTheFieldAndATooLargeLimitIsClamped() {
        String id = registered();
        String only = send(id, "{\"command\":\"a\"}");
        given().queryParam("limit", "abc").when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", equalTo("Field 'limit' must be an integer of 1 or more; above 200 it is clamped to 200."));
        given().queryParam("offset", "-1").when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Field 'offset' must be an integer of 0 or more."));
        given().queryParam("limit", 201).when().get("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("data[0].command_id", equalTo(only))
                .body("pagination.limit", equalTo(200))
                .body("pagination.total", equalTo(1))
                .body("message", equalTo("limit 201 is above the maximum; clamped to 200."));
        assertEquals(1, Db.count(pool, "SELECT count(*) FROM registry.commands WHERE device_id = $1", id));
    }

    @Test
    void badCommandBodiesAre400AndStoreNothing() {
        String id = registered();
        for (String body : List.of("[]", "null", "1", "{}", "{\"command\":\"Reboot\"}", "{\"command\":\"a b\"}",
                "{\"command\":\"" + "a".repeat(65) + "\"}", "{\"command\":5}", "{\"command\":\"x\",\"params\":[1]}",
                "{\"command\":\"x\",\"ttl_s\":0}", "{\"command\":\"x\",\"ttl_s\":604801}", "{\"command\":\"x\",\"ttl_s\":1.5}",
                "{\"command\":\"x\",\"ttl_s\":\"60\"}", "{\"command\":\"x\",\"extra\":1}", "{\"command\":")) {
            given().contentType(ContentType.JSON).body(body).when().post("/api/v1/devices/" + id + "/commands")
                    .then().statusCode(400).body("status", equalTo("error")).body("error.code", equalTo(400));
        }
        assertEquals(0, Db.count(pool, "SELECT count(*) FROM registry.commands WHERE device_id = $1", id));
        given().contentType(ContentType.JSON).body("{\"command\":\"reboot\"}")
                .when().post("/api/v1/devices/nobody-" + UUID.randomUUID() + "/commands")
                .then().statusCode(404).body("error.message", containsString("not found"));
    }

    private static double ignored(String reason) {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith("fleetline_registry_messages_ignored_total{")
                        && line.contains("kind=\"command_ack\"") && line.contains("reason=\"" + reason + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
