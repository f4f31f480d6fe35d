package io.fleetline.commons;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class OutboxTest {

    @Inject
    Pool pool;

    @Test
    void eventOfACommittedTransactionIsPublishedExactlyOnce() {
        String device = "outbox-" + UUID.randomUUID();
        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/ping")) {
            String eventId = given().when().post("/test/outbox/commit/" + device)
                    .then().statusCode(200).extract().path("data");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> probe.receivedContaining(eventId).size() == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> probe.receivedContaining(eventId).size() == 1);
            String payload = probe.receivedContaining(eventId).get(0).payload();
            assertEquals(true, payload.contains("\"event\":\"ping\""));
            assertEquals(true, payload.contains("\"device_id\":\"" + device + "\""));
            await().atMost(Duration.ofSeconds(5)).until(() -> sentAt(eventId) != null);
        }
    }

    @Test
    void eventOfARolledBackTransactionIsNeverPublished() {
        String device = "outbox-" + UUID.randomUUID();
        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/ping")) {
            given().when().post("/test/outbox/rollback/" + device)
                    .then().statusCode(500);

            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> probe.receivedContaining(device).isEmpty());
            long rows = pool.preparedQuery("SELECT count(*) FROM commons_test.outbox WHERE payload LIKE $1")
                    .execute(Tuple.of("%" + device + "%"))
                    .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
            assertEquals(0, rows);
        }
    }

    private Object sentAt(String eventId) {
        var rows = pool.preparedQuery("SELECT sent_at FROM commons_test.outbox WHERE event_id = $1")
                .execute(Tuple.of(eventId)).await().atMost(Duration.ofSeconds(5));
        return rows.iterator().hasNext() ? rows.iterator().next().getValue(0) : null;
    }
}
