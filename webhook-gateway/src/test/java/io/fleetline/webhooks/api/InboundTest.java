package io.fleetline.webhooks.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fleetline.commons.events.Ids;
import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.webhooks.Webhooks;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class InboundTest {

    /** The two inbound secrets of the test profile: the contract's vector secrets. */
    private static final String HMAC_SECRET = "It's a Secret to Everybody";
    private static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String HELLO_SIGNATURE =
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Inject
    Pool pool;

    @Test
    void theContractsHmacVectorAuthenticatesButItsBodyIsNotJson() {
        given().header("X-Webhook-Signature", HELLO_SIGNATURE).body("Hello, World!".getBytes(StandardCharsets.UTF_8))
                .post("/webhooks/iot").then().statusCode(400)
                .body("status", equalTo("error")).body("error.code", equalTo(400));
        // Hex is compared case-insensitively.
        given().header("X-Webhook-Signature", "sha256=" + HELLO_SIGNATURE.substring(7).toUpperCase())
                .body("Hello, World!".getBytes(StandardCharsets.UTF_8))
                .post("/webhooks/iot").then().statusCode(400);
    }

    @Test
    void theContractsStandardVectorIsRefusedOnlyForItsAgeOutsideTheTolerance() {
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        given().header("X-Webhook-Signature", WebhookSignatures.hmacHeader(STANDARD_SECRET, body))
                .header("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek").header("webhook-timestamp", "1614265330")
                .header("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
                .body(body).post("/webhooks/iot").then().statusCode(401)
                .body("error.message", equalTo("Invalid signature."));
    }

    @Test
    void anAcceptedEventIsStoredAndRepublishedAsAPlatformEvent() {
        String device = "in-" + UUID.randomUUID();
        String eventId = Ids.event();
        byte[] body = event(eventId, device);
        long now = Instant.now().getEpochSecond();
        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/threshold_exceeded")) {
            signed(body, HMAC_SECRET)
                    .header("webhook-id", eventId).header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", WebhookSignatures.standardSignature(STANDARD_SECRET, eventId, now, body))
                    .post("/api/v1/webhooks/inbound").then().statusCode(200)
                    .body("status", equalTo("ok")).body("received", equalTo(true)).body("duplicate", nullValue());

            await().atMost(Webhooks.PATIENCE).until(() -> probe.receivedContaining(eventId).size() == 1);
            String published = probe.receivedContaining(eventId).get(0).payload();
            assertEquals(true, published.contains("\"device_id\":\"" + device + "\""));
        }
        long stored = pool.preparedQuery("SELECT count(*) FROM webhooks.inbound_events WHERE event_id = $1 AND device_id = $2")
                .execute(Tuple.of(eventId, device)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertEquals(1, stored);
    }

    @Test
    void aRepeatedEventIdIsAcknowledgedAsADuplicateAndNotProcessedAgain() {
        String device = "in-" + UUID.randomUUID();
        String eventId = Ids.event();
        byte[] body = event(eventId, device);
        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/threshold_exceeded")) {
            signed(body, HMAC_SECRET).post("/webhooks/iot").then().statusCode(200).body("duplicate", nullValue());
            signed(body, STANDARD_SECRET).post("/webhooks/iot").then().statusCode(200)
                    .body("status", equalTo("ok")).body("received", equalTo(true)).body("duplicate", equalTo(true));

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> probe.receivedContaining(eventId).size() == 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "sha256=", "sha256=abc", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e", // wrong length
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17ff",
            "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", // non-hex
            "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=0000000000000000000000000000000000000000000000000000000000000000" })
    void everyMalformedOrWrongSignatureIs401(String header) {
        given().header("X-Webhook-Signature", header).body(event(Ids.event(), "in-x"))
                .post("/webhooks/iot").then().statusCode(401)
                .body("status", equalTo("error")).body("error.code", equalTo(401))
                .body("error.message", equalTo("Invalid signature."));
    }

    @Test
    void aMissingSignatureIs401() {
        given().body(event(Ids.event(), "in-x")).post("/webhooks/iot").then().statusCode(401)
                .body("error.message", equalTo("Invalid signature."));
        given().body(new byte[0]).post("/api/v1/webhooks/inbound").then().statusCode(401)
                .body("error.message", equalTo("Invalid signature."));
    }

    @ParameterizedTest
    @ValueSource(strings = { "no-timestamp", "bad-timestamp", "no-version", "garbage", "no-id" })
    void malformedStandardWebhooksHeadersAre401EvenWithAValidHmac(String flaw) {
        String eventId = Ids.event();
        byte[] body = event(eventId, "in-x");
        long now = Instant.now().getEpochSecond();
        String good = WebhookSignatures.standardSignature(STANDARD_SECRET, eventId, now, body);
        RequestSpecification request = signed(body, HMAC_SECRET);
        switch (flaw) {
            case "no-timestamp" -> request.header("webhook-id", eventId).header("webhook-signature", good);
            case "bad-timestamp" -> request.header("webhook-id", eventId).header("webhook-timestamp", "yesterday")
                    .header("webhook-signature", good);
            case "no-version" -> request.header("webhook-id", eventId).header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", good.substring(3));
            case "garbage" -> request.header("webhook-id", eventId).header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", "v1,%%%");
            default -> request.header("webhook-timestamp", Long.toString(now)).header("webhook-signature", good);
        }
        request.post("/webhooks/iot").then().statusCode(401).body("error.message", equalTo("Invalid signature."));
    }

    @Test
    void aBodyOver256KibIs413() {
        byte[] body = new byte[256 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        given().header("X-Webhook-Signature", WebhookSignatures.hmacHeader(HMAC_SECRET, body)).body(body)
                .post("/webhooks/iot").then().statusCode(413).body("error.code", equalTo(413));
    }

    @Test
    void aValidlySignedEventOfAnUnknownTypeIs400NamingTheField() {
        byte[] body = "{\"event\":\"meteor_strike\",\"device_id\":\"in-x\"}".getBytes(StandardCharsets.UTF_8);
        signed(body, HMAC_SECRET).post("/webhooks/iot").then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.startsWith("Field 'event' must be one of"));
    }

    private static RequestSpecification signed(byte[] body, String secret) {
        return given().header("X-Webhook-Signature", WebhookSignatures.hmacHeader(secret, body))
                .contentType("application/json").body(body);
    }

    private static byte[] event(String eventId, String device) {
        return ("{\"event\":\"threshold_exceeded\",\"event_id\":\"" + eventId + "\",\"device_id\":\"" + device
                + "\",\"severity\":\"critical\",\"current_value\":38.7,\"threshold\":35.0,"
                + "\"message\":\"temperature 38.7 above 35.0\"}").getBytes(StandardCharsets.UTF_8);
    }
}
