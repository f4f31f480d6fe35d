package io.fleetline.system;

import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.WEBHOOKS;
import static io.fleetline.system.Stack.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.system.WebhookReceiver.Request;

/**
 * The alert path end to end: a rule, a device over MQTT crossing it, a signed webhook; the device
 * going silent and coming back.
 */
class AlertPathIT {

    @Test
    void aThresholdCrossingSilenceAndReturnEachReachTheWebhookExactlyOnce() {
        String id = Stack.register("alert-" + Stack.run(), "sensor", "{\"sample_interval_s\":2}");
        try (WebhookReceiver receiver = WebhookReceiver.start(); MqttProbe device = Stack.mqtt()) {
            String secret = as(WEBHOOKS).body("""
                    {"url":"%s","events":["threshold_exceeded","device_offline","device_online"],"device_ids":["%s"],
                     "description":"alert path system test"}""".formatted(receiver.url("/alerts"), id))
                    .post("/api/v1/webhooks")
                    .then().statusCode(201)
                    .body("data.secret", org.hamcrest.Matchers.startsWith("whsec_"))
                    .extract().path("data.secret");
            as(TELEMETRY).body("""
                    {"device_id":"%s","metric":"temperature","operator":">","threshold":35.0,"severity":"critical"}"""
                    .formatted(id))
                    .post("/api/v1/rules")
                    .then().statusCode(201).body("data.metric", equalTo("temperature"))
                    .body("data.threshold", equalTo(35.0)).body("data.severity", equalTo("critical"));

            device.publish("devices/" + id + "/telemetry", "{\"temperature\":38.7,\"msg_id\":\"a1\"}", false);
            // still above: the rule is already firing, so no second alert
            device.publish("devices/" + id + "/telemetry", "{\"temperature\":39.1,\"msg_id\":\"a2\"}", false);

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.events("threshold_exceeded").size() >= 1);
            Request alert = receiver.events("threshold_exceeded").get(0);
            JsonNode event = alert.json();
            assertEquals(id, event.path("device_id").asText());
            assertEquals("critical", event.path("severity").asText());
            assertEquals(38.7, event.path("current_value").asDouble(), 1e-9);
            assertEquals(35.0, event.path("threshold").asDouble(), 1e-9);
            assertEquals("temperature > 35.0", event.path("condition").asText());
            assertTrue(event.hasNonNull("alert_id"), "the alert has an id: " + event);
            assertSigned(alert, secret);

            // silence: 3 intervals of 2 s plus the bridge's check period
            await().atMost(Duration.ofSeconds(45)).until(() -> receiver.events("device_offline").size() >= 1);
            Request offline = receiver.events("device_offline").get(0);
            assertEquals(id, offline.json().path("device_id").asText());
            assertSigned(offline, secret);

            device.publish("devices/" + id + "/telemetry", "{\"temperature\":21.0,\"msg_id\":\"a3\"}", false);
            // one device_online for the first reading, one for the return
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.events("device_online").size() >= 2);
            Request back = receiver.events("device_online").get(1);
            assertTrue(Instant.parse(back.json().path("timestamp").asText())
                    .isAfter(Instant.parse(offline.json().path("timestamp").asText())));
            assertSigned(back, secret);

            // nothing more arrives: exactly one of each, no attempt sent twice
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    receiver.events("threshold_exceeded").size() == 1
                            && receiver.events("device_offline").size() == 1
                            && receiver.events("device_online").size() == 2);
            assertEquals(receiver.requests().size(), receiver.requests().stream()
                    .map(r -> r.headers().get("webhook-id")).distinct().count(), "each event delivered once");
        }
    }

    /** Both signature schemes of the contract verify over the exact bytes received. */
    static void assertSigned(Request request, String secret) {
        assertTrue(WebhookSignatures.verifyHmacHeader(request.headers().get("X-Webhook-Signature"), request.body(), secret),
                "X-Webhook-Signature verifies");
        assertTrue(WebhookSignatures.verifyStandard(secret, request.headers().get("webhook-id"),
                request.headers().get("webhook-timestamp"), request.headers().get("webhook-signature"), request.body(),
                Instant.now(), Duration.ofMinutes(5)), "webhook-signature verifies");
        assertEquals(request.json().path("event_id").asText(), request.headers().get("webhook-id"));
    }
}
