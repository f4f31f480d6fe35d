package io.fleetline.webhooks.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;

import io.fleetline.commons.events.Ids;
import io.fleetline.commons.mqtt.MqttLink;
import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.webhooks.Receiver;
import io.fleetline.webhooks.Receiver.Reply;
import io.fleetline.webhooks.Webhooks;
import io.fleetline.webhooks.store.DeliveryStore;
import io.smallrye.mutiny.Uni;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class DeliveryTest {

    private static Receiver receiver;
    private static MqttProbe probe;

    @Inject
    Pool pool;

    @Inject
    DeliveryStore store;

    @Inject
    MqttLink link;

    @ConfigProperty(name = "fleetline.mqtt.client-id")
    String clientId;

    @ConfigProperty(name = "fleetline.webhooks.max-concurrency-per-endpoint")
    int slots;

    @BeforeAll
    static void start() {
        receiver = Receiver.start();
        probe = MqttProbe.connect();
    }

    @AfterAll
    static void stop() {
        Webhooks.deleteCreated();
        receiver.close();
        probe.close();
    }

    @Test
    void thresholdEventReachesAMatchingEndpointOnceSignedOverTheReceivedBytes() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        String higherUrl = receiver.newUrl();
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "events", List.of("threshold_exceeded"),
                "min_severity", "warning", "device_ids", List.of(device)));
        Webhooks.create(Map.of("url", higherUrl, "min_severity", "critical", "device_ids", List.of(device)));
        String eventId = Ids.event();
        // Odd spacing and key order: the receiver must get these bytes, not a re-serialization.
        String payload = "{\"event\":\"threshold_exceeded\",  \"event_id\":\"" + eventId + "\",\"device_id\":\""
                + device + "\",\"severity\":\"warning\",\"current_value\":38.70,\"threshold\":35.0}";

        probe.publish("platform/events/threshold_exceeded", payload, false);

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 1);
        Receiver.Request request = receiver.requests(url).get(0);
        assertArrayEquals(payload.getBytes(StandardCharsets.UTF_8), request.body());
        assertEquals("application/json", request.header("Content-Type"));
        assertTrue(request.header("User-Agent").startsWith("Fleetline-Webhooks/"), request.header("User-Agent"));
        assertEquals("threshold_exceeded", request.header("X-Webhook-Event"));
        assertEquals(eventId, request.header("X-Webhook-Id"));
        assertEquals(eventId, request.header("webhook-id"));
        String secret = endpoint.getString("secret");
        assertTrue(WebhookSignatures.verifyHmacHeader(request.header("X-Webhook-Signature"), request.body(), secret));
        assertTrue(WebhookSignatures.verifyStandard(secret, request.header("webhook-id"),
                request.header("webhook-timestamp"), request.header("webhook-signature"), request.body(),
                Instant.now(), Duration.ofMinutes(5)));

        // The same event again (QoS 1 redelivery, a replayed outbox row) is not a second delivery.
        probe.publish("platform/events/threshold_exceeded", payload, false);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> receiver.requests(url).size() == 1 && receiver.requests(higherUrl).isEmpty());
        String deliveryId = Webhooks.latestDeliveryId(endpoint.getString("id"));
        JsonPath delivery = Webhooks.delivery(endpoint.getString("id"), deliveryId);
        assertEquals("succeeded", delivery.getString("state"));
        assertEquals(eventId, delivery.getString("event.event_id"));
        assertEquals(1, delivery.getList("attempts").size());
        assertEquals(200, delivery.getInt("attempts[0].response_status"));
    }

    @Test
    void anEventPublishedWhileTheGatewayIsAwayIsDeliveredWhenItReturns() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));
        await().atMost(Webhooks.PATIENCE).until(link::isConnected);
        // A client taking over the gateway's client id disconnects it; its persistent session,
        // subscription included, stays with the broker and queues what arrives meanwhile.
        Mqtt3BlockingClient takeover = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(1883).buildBlocking();
        takeover.connectWith().cleanSession(false).send();
        await().atMost(Webhooks.PATIENCE).until(() -> !link.isConnected());
        takeover.disconnect();

        String eventId = publish("threshold_exceeded", device, "critical", "while away");
        assertFalse(link.isConnected(), "the event was published while the gateway was disconnected");

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 1);
        assertEquals(eventId, receiver.requests(url).get(0).header("webhook-id"));
    }

    @Test
    void aReceiverFailingTwiceThenSucceedingGetsExactlyThreeAttemptsWithGrowingDelays() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        receiver.reply(url, Reply.status(500).withBody("boom"), Reply.status(502));
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));

        String eventId = publish("threshold_exceeded", device, "critical", "hot");

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 3);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> receiver.requests(url).size() == 3);
        List<Receiver.Request> requests = receiver.requests(url);
        requests.forEach(r -> assertEquals(eventId, r.header("webhook-id")));
        Duration first = Duration.between(requests.get(0).at(), requests.get(1).at());
        Duration second = Duration.between(requests.get(1).at(), requests.get(2).at());
        assertTrue(second.compareTo(first) > 0, "delays " + first + " then " + second);

        JsonPath delivery = Webhooks.delivery(endpoint.getString("id"), Webhooks.latestDeliveryId(endpoint.getString("id")));
        assertEquals("succeeded", delivery.getString("state"));
        assertEquals(List.of(500, 502, 200), delivery.getList("attempts.response_status"));
        assertEquals(List.of(1, 2, 3), delivery.getList("attempts.number"));
        assertEquals("boom", delivery.getString("attempts[0].response_body"));
        assertEquals("HTTP 500", delivery.getString("attempts[0].error"));
    }

    @Test
    void goneDisablesTheEndpointAndRecordsAWebhookDisabledEvent() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        receiver.reply(url, Reply.status(410));
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));
        String id = endpoint.getString("id");
        try (MqttProbe events = MqttProbe.connect().subscribe("platform/events/webhook_disabled")) {
            publish("device_offline", device, "warning", "gone quiet");

            await().atMost(Webhooks.PATIENCE).until(() -> !given().get("/api/v1/webhooks/" + id)
                    .then().extract().jsonPath().getBoolean("data.enabled"));
            given().get("/api/v1/webhooks/" + id).then().body("data.disabled_reason", equalTo("receiver answered 410 Gone"));
            await().atMost(Webhooks.PATIENCE).until(() -> events.receivedContaining(id).size() == 1);
        }
        assertEquals("failed", Webhooks.delivery(id, Webhooks.latestDeliveryId(id)).getString("state"));

        // Disabled: a later event is not sent; re-enabled: the next one is.
        publish("device_offline", device, "warning", "still quiet");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.requests(url).size() == 1);
        given().contentType("application/json").body(Map.of("enabled", true)).patch("/api/v1/webhooks/" + id)
                .then().statusCode(200).body("data.enabled", equalTo(true));
        publish("device_online", device, "info", "back");
        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
    }

    @Test
    void retryAfterOfA503IsHonoured() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        receiver.reply(url, Reply.status(503).withHeader("Retry-After", "3"));
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));

        publish("threshold_exceeded", device, "critical", "hot");

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
        List<Receiver.Request> requests = receiver.requests(url);
        Duration gap = Duration.between(requests.get(0).at(), requests.get(1).at());
        // The schedule alone would retry after about 300 ms.
        assertTrue(gap.compareTo(Duration.ofMillis(2900)) >= 0, "retried after " + gap);
        await().atMost(Webhooks.PATIENCE).until(() -> "succeeded".equals(Webhooks.delivery(endpoint.getString("id"),
                Webhooks.latestDeliveryId(endpoint.getString("id"))).getString("state")));
    }

    @Test
    void deliveriesLeftByAStoppedGatewayAreSentWhenItRunsAgain() {
        // What a gateway killed mid-flight leaves behind: one delivery claimed but never recorded
        // (its lease expired) and one retry that came due while nothing ran.
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));
        String id = endpoint.getString("id");
        String claimedEvent = Ids.event();
        String retryEvent = Ids.event();
        insertEvent(claimedEvent, device);
        insertEvent(retryEvent, device);
        pool.preparedQuery("INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key, state, attempts,"
                + " lease_until) VALUES ($1, $2, $3, 'delivering', 1, now() - interval '1 minute')")
                .execute(Tuple.of(id, claimedEvent, device)).await().atMost(Duration.ofSeconds(5));
        pool.preparedQuery("INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key, state, attempts,"
                + " next_attempt_at) VALUES ($1, $2, $3, 'retrying', 1, now() - interval '1 hour')")
                .execute(Tuple.of(id, retryEvent, device)).await().atMost(Duration.ofSeconds(5));

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
        // In event order: the first delivery of the device goes out before the second.
        assertEquals(List.of(claimedEvent, retryEvent), receiver.requests(url).stream().map(r -> r.header("webhook-id")).toList());
        await().atMost(Webhooks.PATIENCE).until(() -> given().get("/api/v1/webhooks/" + id + "/deliveries?status=succeeded")
                .then().extract().jsonPath().getInt("count") == 2);
    }

    @Test
    void redeliverSendsTheOriginalBytesWithFreshSignaturesOfARotatedSecret() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of(device)));
        String id = endpoint.getString("id");
        publish("threshold_cleared", device, "info", "cool again");
        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 1);
        String deliveryId = Webhooks.latestDeliveryId(id);
        await().atMost(Webhooks.PATIENCE).until(() -> "succeeded".equals(Webhooks.delivery(id, deliveryId).getString("state")));

        String oldSecret = endpoint.getString("secret");
        String newSecret = given().post("/api/v1/webhooks/" + id + "/rotate-secret")
                .then().statusCode(200).extract().path("data.secret");
        given().post("/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/redeliver")
                .then().statusCode(202).body("data.delivery_id", equalTo(deliveryId));

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
        Receiver.Request original = receiver.requests(url).get(0);
        Receiver.Request again = receiver.requests(url).get(1);
        assertArrayEquals(original.body(), again.body());
        assertTrue(WebhookSignatures.verifyHmacHeader(again.header("X-Webhook-Signature"), again.body(), newSecret));
        for (String secret : List.of(newSecret, oldSecret)) {
            assertTrue(WebhookSignatures.verifyStandard(secret, again.header("webhook-id"),
                    again.header("webhook-timestamp"), again.header("webhook-signature"), again.body(), Instant.now(),
                    Duration.ofMinutes(5)), "signed with " + (secret.equals(oldSecret) ? "old" : "new") + " secret");
        }
        await().atMost(Webhooks.PATIENCE).until(() -> Webhooks.delivery(id, deliveryId).getList("attempts").size() == 2);
    }

    @Test
    void testSendsAPingToTheEndpoint() {
        String url = receiver.newUrl();
        JsonPath endpoint = Webhooks.create(Map.of("url", url, "device_ids", List.of("nobody-" + UUID.randomUUID())));
        String deliveryId = given().post("/api/v1/webhooks/" + endpoint.getString("id") + "/test")
                .then().statusCode(202).extract().path("data.delivery_id");

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 1);
        assertEquals("ping", receiver.requests(url).get(0).header("X-Webhook-Event"));
        assertTrue(receiver.requests(url).get(0).text().contains("\"event\":\"ping\""));
        await().atMost(Webhooks.PATIENCE).until(() -> "succeeded".equals(
                Webhooks.delivery(endpoint.getString("id"), deliveryId).getString("state")));
    }

    @Test
    void aConnectionToARefusedAddressIsDroppedBeforeSending() {
        // The URL passed registration (as a DNS name that later rebinds would); the address
        // actually connected to, 127.0.0.2, is outside the allowed 127.0.0.1/32.
        try (Receiver internal = Receiver.start("127.0.0.2")) {
            String device = "dev-" + UUID.randomUUID();
            String url = internal.newUrl();
            String id = Ids.next("wh_");
            pool.preparedQuery("INSERT INTO webhooks.endpoints (id, url, device_ids, secret) VALUES ($1, $2, $3, $4)")
                    .execute(Tuple.of(id, url, new String[] { device }, WebhookSignatures.newSecret()))
                    .await().atMost(Duration.ofSeconds(5));

            publish("threshold_exceeded", device, "critical", "hot");

            await().atMost(Webhooks.PATIENCE).until(() -> {
                String deliveryId = Webhooks.latestDeliveryId(id);
                return deliveryId != null && !Webhooks.delivery(id, deliveryId).getList("attempts").isEmpty();
            });
            JsonPath delivery = Webhooks.delivery(id, Webhooks.latestDeliveryId(id));
            assertEquals("refused: connected address 127.0.0.2 is not allowed", delivery.getString("attempts[0].error"));
            assertEquals("retrying", delivery.getString("state"));
            assertTrue(internal.requests(url).isEmpty());
        }
    }

    @Test
    void aDiscordEndpointGetsAnEmbedWithinLimitsAndWaitsForDiscordsRetryAfter() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        receiver.reply(url, Reply.status(429).withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"You are being rate limited.\",\"retry_after\":2.5,\"global\":false}"),
                Reply.status(204));
        Webhooks.create(Map.of("url", url, "format", "discord", "min_severity", "critical", "device_ids", List.of(device)));

        publish("threshold_exceeded", device, "critical", "x".repeat(7000));

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
        List<Receiver.Request> requests = receiver.requests(url);
        assertTrue(Duration.between(requests.get(0).at(), requests.get(1).at()).compareTo(Duration.ofMillis(2400)) >= 0);
        JsonPath message = JsonPath.from(requests.get(1).text());
        String description = message.getString("embeds[0].description");
        String title = message.getString("embeds[0].title");
        assertTrue(description.length() <= 4096 && description.endsWith("…"), "description " + description.length());
        int total = title.length() + description.length() + message.getString("embeds[0].footer.text").length();
        for (Map<String, Object> field : message.<Map<String, Object>>getList("embeds[0].fields")) {
            total += field.get("name").toString().length() + field.get("value").toString().length();
        }
        assertTrue(total <= 6000, "total " + total);
        assertEquals(0xE74C3C, message.getInt("embeds[0].color"));
        assertEquals("Threshold exceeded · " + device, title);
        assertNotNull(requests.get(1).header("X-Webhook-Signature"));
    }

    @Test
    void aReceiverThatNeverAnswersHoldsOnlyItsOwnSlots() {
        List<String> devices = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "dev-" + UUID.randomUUID()).toList();
        String stuck = receiver.newUrl();
        String healthy = receiver.newUrl();
        receiver.hang(stuck);
        Webhooks.create(Map.of("url", stuck, "events", List.of("command_status_changed"), "device_ids", devices));
        Webhooks.create(Map.of("url", healthy, "events", List.of("command_status_changed"), "device_ids", devices));

        devices.forEach(device -> publish("command_status_changed", device, "info", "done"));

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(healthy).size() == 30);
        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(stuck).size() >= slots);
        // No slot of the stuck endpoint frees before its first attempt times out (2 s in the test
        // profile), so however fast the machine, at most `slots` (16) requests reach it before that.
        Instant first = receiver.requests(stuck).get(0).at();
        long early = receiver.requests(stuck).stream()
                .filter(r -> r.at().isBefore(first.plusMillis(1500))).count();
        assertTrue(early <= slots, early + " requests in flight to one endpoint");
    }

    @Test
    void anEndpointFailingForADayIsDisabledWithAWebhookDisabledEvent() {
        String device = "dev-" + UUID.randomUUID();
        String url = receiver.newUrl();
        receiver.reply(url, Reply.status(500));
        String id = Webhooks.create(Map.of("url", url, "device_ids", List.of(device))).getString("id");
        // Its deliveries have been failing since yesterday.
        pool.preparedQuery("UPDATE webhooks.endpoints SET failing_since = now() - interval '25 hours' WHERE id = $1")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(5));
        try (MqttProbe events = MqttProbe.connect().subscribe("platform/events/webhook_disabled")) {
            publish("device_offline", device, "warning", "gone quiet");

            await().atMost(Webhooks.PATIENCE).until(() -> events.receivedContaining(id).size() == 1);
        }
        given().get("/api/v1/webhooks/" + id).then().statusCode(200)
                .body("data.enabled", equalTo(false))
                .body("data.disabled_reason", equalTo("every delivery failed for 24 h"));
        // The failed delivery waits; re-enabling the endpoint sends it.
        given().contentType("application/json").body(Map.of("enabled", true)).patch("/api/v1/webhooks/" + id)
                .then().statusCode(200);
        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == 2);
        await().atMost(Webhooks.PATIENCE).until(() -> "succeeded".equals(
                Webhooks.delivery(id, Webhooks.latestDeliveryId(id)).getString("state")));
    }

    @Test
    void replicasClaimingTheSameDueDeliveriesNeverShareOne() {
        // This gateway's worker and two claims made here as other replicas race for 40 due deliveries.
        String url = receiver.newUrl();
        String prefix = "dev-" + UUID.randomUUID() + "-";
        String id = Webhooks.create(Map.of("url", url, "events", List.of("device_online"),
                "device_ids", List.of("unused-" + UUID.randomUUID()))).getString("id");
        pool.preparedQuery("WITH ev AS (INSERT INTO webhooks.events (event_id, event_type, device_id, severity, payload)"
                + " SELECT 'evt_' || $2 || n, 'device_online', $2 || n, 0,"
                + "   convert_to('{\"event\":\"device_online\",\"event_id\":\"evt_' || $2 || n || '\"}', 'UTF8')"
                + " FROM generate_series(1, 40) n RETURNING event_id, device_id)"
                + " INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key) SELECT $1, event_id, device_id FROM ev")
                .execute(Tuple.of(id, prefix)).await().atMost(Duration.ofSeconds(5));

        List<List<DeliveryStore.Claimed>> others = Uni.join().all(
                store.claim(40, Duration.ofMinutes(5), Map.of(), 40),
                store.claim(40, Duration.ofMinutes(5), Map.of(), 40)).andFailFast()
                .await().atMost(Duration.ofSeconds(10));
        Set<String> claimedElsewhere = new HashSet<>();
        others.forEach(claims -> claims.stream().filter(c -> c.endpointId().equals(id))
                .forEach(c -> assertTrue(claimedElsewhere.add(c.eventId()), "claimed twice: " + c.eventId())));

        int expected = 40 - claimedElsewhere.size();
        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(url).size() == expected);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.requests(url).size() == expected);
        Set<String> sentHere = receiver.requests(url).stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
        assertEquals(expected, sentHere.size());
        sentHere.forEach(eventId -> assertTrue(!claimedElsewhere.contains(eventId), "sent by two replicas: " + eventId));
        given().delete("/api/v1/webhooks/" + id).then().statusCode(200);
    }

    @Test
    void deliveriesOfOneDeviceToOneEndpointGoOutInEventOrderAcrossARetry() {
        String failingOnce = receiver.newUrl();
        String healthy = receiver.newUrl();
        receiver.reply(failingOnce, Reply.status(500));
        String first = "dev-" + UUID.randomUUID();
        String second = "dev-" + UUID.randomUUID();
        String x = Webhooks.create(Map.of("url", failingOnce, "events", List.of("device_online"),
                "device_ids", List.of("unused-" + UUID.randomUUID()))).getString("id");
        String y = Webhooks.create(Map.of("url", healthy, "events", List.of("device_online"),
                "device_ids", List.of("unused-" + UUID.randomUUID()))).getString("id");
        // Five events per device, stored in order, both queues due at once.
        pool.preparedQuery("WITH ev AS (INSERT INTO webhooks.events (event_id, event_type, device_id, severity, payload)"
                + " SELECT 'evt_' || d || '-' || n, 'device_online', d, 0,"
                + "   convert_to('{\"event\":\"device_online\",\"event_id\":\"evt_' || d || '-' || n || '\"}', 'UTF8')"
                + " FROM generate_series(1, 5) n, unnest(ARRAY[$3, $4]) d ORDER BY n RETURNING event_id, device_id)"
                + " INSERT INTO webhooks.deliveries (endpoint_id, event_id, order_key)"
                + " SELECT CASE WHEN device_id = $3 THEN $1 ELSE $2 END, event_id, device_id FROM ev"
                + " ORDER BY (regexp_match(event_id, '-(\\d+)$'))[1]::int")
                .execute(Tuple.of(x, y, first, second)).await().atMost(Duration.ofSeconds(5));

        await().atMost(Webhooks.PATIENCE).until(() -> receiver.requests(failingOnce).size() == 6
                && receiver.requests(healthy).size() == 5);
        List<String> expectedFirst = List.of(1, 1, 2, 3, 4, 5).stream().map(n -> "evt_" + first + "-" + n).toList();
        List<String> expectedSecond = List.of(1, 2, 3, 4, 5).stream().map(n -> "evt_" + second + "-" + n).toList();
        assertEquals(expectedFirst, receiver.requests(failingOnce).stream().map(r -> r.header("webhook-id")).toList(),
                "the failed first event is retried before the later ones are sent");
        assertEquals(expectedSecond, receiver.requests(healthy).stream().map(r -> r.header("webhook-id")).toList());
    }

    private String publish(String type, String device, String severity, String text) {
        String eventId = Ids.event();
        probe.publish("platform/events/" + type, "{\"event\":\"" + type + "\",\"event_id\":\"" + eventId
                + "\",\"device_id\":\"" + device + "\",\"timestamp\":\"" + Instant.now() + "\",\"severity\":\""
                + severity + "\",\"current_value\":38.7,\"threshold\":35.0,\"message\":\"" + text + "\"}", false);
        return eventId;
    }

    private void insertEvent(String eventId, String device) {
        String payload = "{\"event\":\"device_online\",\"event_id\":\"" + eventId + "\",\"device_id\":\"" + device + "\"}";
        pool.preparedQuery("INSERT INTO webhooks.events (event_id, event_type, device_id, severity, payload)"
                + " VALUES ($1, 'device_online', $2, 0, $3)")
                .execute(Tuple.of(eventId, device, Buffer.buffer(payload))).await().atMost(Duration.ofSeconds(5));
    }
}
