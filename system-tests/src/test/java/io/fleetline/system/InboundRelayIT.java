package io.fleetline.system;

import static io.fleetline.system.Stack.WEBHOOKS;
import static io.fleetline.system.Stack.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.signing.WebhookSignatures;
import io.restassured.http.ContentType;

/**
 * An alert from another system posted, signed, to {@code /webhooks/iot}, relayed to a
 * Discord-format endpoint that only wants critical alerts. The inbound secret is
 * {@code fleetline.inbound-secret} (the stack's {@code FLEETLINE_WEBHOOKS_INBOUND_SECRETS}).
 */
class InboundRelayIT {

    static final String INBOUND_SECRET = Stack.prop("fleetline.inbound-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

    @Test
    void aSignedCriticalAlertIsRelayedToDiscordAndAWarningIsNot() {
        String device = "inbound-" + Stack.run();
        try (WebhookReceiver discord = WebhookReceiver.start()) {
            as(WEBHOOKS).body("""
                    {"url":"%s","format":"discord","min_severity":"critical","events":["threshold_exceeded"],
                     "device_ids":["%s"]}""".formatted(discord.url("/api/webhooks/123/token"), device))
                    .post("/api/v1/webhooks")
                    .then().statusCode(201).body("data.format", equalTo("discord"))
                    .body("data.min_severity", equalTo("critical"));

            // unsigned: refused
            given().baseUri(WEBHOOKS).contentType(ContentType.JSON).body(alert(device, "warning", "evt_x" + device))
                    .post("/webhooks/iot").then().statusCode(401).body("status", equalTo("error"));

            postSigned(alert(device, "warning", "evt_w_" + device));
            postSigned(alert(device, "critical", "evt_c_" + device));

            await().atMost(Duration.ofSeconds(30)).until(() -> discord.requests().size() >= 1);
            JsonNode message = discord.requests().get(0).json();
            assertEquals("Fleetline", message.path("username").asText());
            JsonNode embed = message.path("embeds").path(0);
            assertEquals("Threshold exceeded · Boiler", embed.path("title").asText());
            assertEquals("Boiler (" + device + ")", embed.path("fields").path(0).path("value").asText());
            assertEquals("temperature 41.2 above 35.0 (critical)", embed.path("description").asText());
            assertTrue(embed.path("fields").toString().contains("41.2"), "fields carry the value: " + embed);

            // the warning never comes, and the critical one only once
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> discord.requests().size() == 1);
        }
    }

    private static String alert(String device, String severity, String eventId) {
        return """
                {"event":"threshold_exceeded","event_id":"%s","alert_id":"ext_1","device_id":"%s",
                 "device_name":"Boiler","timestamp":"%s","severity":"%s","condition":"temperature > 35.0",
                 "current_value":41.2,"threshold":35.0,"message":"temperature 41.2 above 35.0 (%s)"}"""
                .formatted(eventId, device, Instant.now(), severity, severity);
    }

    private static void postSigned(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        given().baseUri(WEBHOOKS).contentType(ContentType.JSON)
                .header("X-Webhook-Signature", WebhookSignatures.hmacHeader(INBOUND_SECRET, bytes))
                .body(bytes)
                .post("/webhooks/iot")
                .then().statusCode(200).body("status", equalTo("ok")).body("received", equalTo(true));
    }
}
