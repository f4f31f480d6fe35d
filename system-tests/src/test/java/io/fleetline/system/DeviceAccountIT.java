package io.fleetline.system;

import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;

import io.fleetline.commons.testing.MqttProbe;
import io.restassured.path.json.JsonPath;

/**
 * A device connects with the MQTT account its registration returned: its readings are stored,
 * the broker drops what it publishes into another device's topic, and clients without a valid
 * account are refused.
 */
class DeviceAccountIT {

    @Test
    void aRegisteredDeviceReachesOnlyItsOwnTopicsAndStrangersAreRefused() {
        String run = Stack.run();
        JsonPath registered = as(REGISTRY).body("{\"device_id\":\"acct-" + run + "\",\"name\":\"a\"}")
                .post("/api/v1/devices").then().statusCode(201)
                .body("data.mqtt.username", equalTo("acct-" + run))
                .body("data.mqtt.client_id", equalTo("acct-" + run))
                .extract().jsonPath();
        String id = registered.getString("data.device_id");
        String password = registered.getString("data.mqtt.password");
        String other = Stack.register("acct-other-" + run, "sensor", "{}");

        try (MqttProbe platform = Stack.mqtt().subscribe("devices/" + other + "/telemetry").subscribe("devices/" + id + "/telemetry");
                MqttProbe device = MqttProbe.connect(id, id, password)) {
            device.publish("devices/" + other + "/telemetry", "{\"spoofed\":1,\"msg_id\":\"s1\"}", false);
            device.publish("devices/" + id + "/telemetry", "{\"temperature\":21.5,\"msg_id\":\"m1\"}", false);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(TELEMETRY).queryParam("start", "-1h")
                    .get("/api/v1/devices/" + id + "/data").then().statusCode(200).body("count", equalTo(1)).body("data[0].payload.temperature", equalTo(21.5)));
            // The own message went through the broker after the spoofed one, so the latter had its chance to arrive.
            await().atMost(Duration.ofSeconds(10)).until(() -> !platform.receivedOn("devices/" + id + "/telemetry").isEmpty());
            assertTrue(platform.receivedOn("devices/" + other + "/telemetry").isEmpty(), "the broker dropped the spoofed publish");
            as(TELEMETRY).queryParam("start", "-1h").get("/api/v1/devices/" + other + "/data")
                    .then().statusCode(200).body("count", equalTo(0));
        }

        assertThrows(Mqtt3ConnAckException.class, () -> MqttProbe.connect("stranger-" + run, "stranger-" + run, "guess"));
        assertThrows(Mqtt3ConnAckException.class, () -> MqttProbe.connect(id, id, password + "x"));
        as(REGISTRY).delete("/api/v1/devices/" + id).then().statusCode(204);
        assertThrows(Mqtt3ConnAckException.class, () -> MqttProbe.connect(id, id, password));
        as(REGISTRY).delete("/api/v1/devices/" + other).then().statusCode(204);
    }
}
