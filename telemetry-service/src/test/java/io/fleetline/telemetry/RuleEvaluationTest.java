package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;
import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class RuleEvaluationTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    Pool pool;

    @Test
    void aRuleWithDuration2FiresOnceAfterHolding2SecondsAndClearsOnce() {
        String device = TestDevices.uniqueId("rule-e2e");
        TestDevices.query(pool, "INSERT INTO registry.devices (device_id, name, metadata) VALUES ($1, $2, $3)",
                device, "Greenhouse " + device, new JsonObject().put("units", new JsonObject().put("temperature", "celsius")));
        String ruleId = createRule("{\"device_id\":\"" + device + "\",\"metric\":\"temperature\",\"operator\":\">\","
                + "\"threshold\":35.0,\"severity\":\"critical\",\"duration_s\":2}");

        try (MqttProbe probe = MqttProbe.connect().subscribe("platform/events/+")) {
            Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
            double[] values = { 34, 36, 37, 38, 39, 30, 31, 36, 37 };
            for (int i = 0; i < values.length; i++) {
                ingest(device, t0.plusSeconds(i), values[i]);
            }
            // 36 at t0+1 starts the hold, 38 at t0+3 has held 2 s: fire; 30 at t0+5 clears;
            // 36, 37 at t0+7..8 hold only 1 s: nothing more
            await().atMost(WAIT).until(() -> probe.receivedOn("platform/events/threshold_exceeded").stream()
                    .anyMatch(m -> m.payload().contains(device)));
            await().atMost(WAIT).until(() -> probe.receivedOn("platform/events/threshold_cleared").stream()
                    .anyMatch(m -> m.payload().contains(device)));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> forDevice(probe, "threshold_exceeded", device).size() == 1
                            && forDevice(probe, "threshold_cleared", device).size() == 1);

            JsonObject fired = new JsonObject(forDevice(probe, "threshold_exceeded", device).get(0).payload());
            assertEquals(ruleId, fired.getString("alert_id"));
            assertEquals("Greenhouse " + device, fired.getString("device_name"));
            assertEquals("temperature > 35.0", fired.getString("condition"));
            assertEquals(38.0, fired.getDouble("current_value"));
            assertEquals(35.0, fired.getDouble("threshold"));
            assertEquals("critical", fired.getString("severity"));
            assertEquals("2024-05-01T10:00:03Z", fired.getString("timestamp"));
            assertEquals(2, fired.getJsonObject("metadata").getInteger("duration_above_s"));
            assertEquals("celsius", fired.getJsonObject("metadata").getString("unit"));

            JsonObject cleared = new JsonObject(forDevice(probe, "threshold_cleared", device).get(0).payload());
            assertEquals(ruleId, cleared.getString("alert_id"));
            assertEquals(30.0, cleared.getDouble("current_value"));
            assertEquals("2024-05-01T10:00:05Z", cleared.getString("timestamp"));
            assertEquals(4, cleared.getJsonObject("metadata").getInteger("duration_above_s"));
        }
        assertEquals(1, TestDevices.count(pool, "SELECT count(*) FROM telemetry.outbox"
                + " WHERE topic = 'platform/events/threshold_exceeded' AND payload LIKE $1", "%" + device + "%"));
        assertEquals(1, TestDevices.count(pool, "SELECT count(*) FROM telemetry.outbox"
                + " WHERE topic = 'platform/events/threshold_cleared' AND payload LIKE $1", "%" + device + "%"));
    }

    @Test
    void aTypeRuleWithHysteresisClearsOnlyPastTheClearThreshold() {
        String type = TestDevices.uniqueId("kiln");
        String device = TestDevices.uniqueId("rule-type");
        TestDevices.query(pool, "INSERT INTO registry.devices (device_id, name, type, metadata) VALUES ($1, $1, $2, $3)",
                device, type, new JsonObject().put("unit", "C"));
        createRule("{\"device_type\":\"" + type + "\",\"metric\":\"temperature\",\"operator\":\">=\","
                + "\"threshold\":100,\"clear_threshold\":90,\"severity\":\"warning\"}");
        Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
        double[] values = { 100, 95, 91, 89.5, 99 };
        for (int i = 0; i < values.length; i++) {
            ingest(device, t0.plusSeconds(i), values[i]);
        }
        assertEquals(List.of("threshold_exceeded:100.0:C", "threshold_cleared:89.5:C"), outboxEvents(device));
    }

    @Test
    void concurrentWritersFireOnlyOnce() {
        String device = TestDevices.register(pool, "rule-race");
        createRule("{\"device_id\":\"" + device + "\",\"metric\":\"pressure\",\"operator\":\"<\","
                + "\"threshold\":1,\"severity\":\"info\"}");
        Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
        CompletableFuture.allOf(IntStream.range(0, 20)
                .mapToObj(i -> CompletableFuture.runAsync(() -> given().contentType(ContentType.JSON)
                        .body("{\"ts\":\"" + t0.plusSeconds(i) + "\",\"pressure\":0.5}")
                        .post("/api/v1/devices/{id}/data", device).then().statusCode(201)))
                .toArray(CompletableFuture[]::new)).join();
        assertEquals(List.of("threshold_exceeded:0.5:"), outboxEvents(device));
    }

    private List<String> outboxEvents(String device) {
        return TestDevices.query(pool, "SELECT payload FROM telemetry.outbox WHERE payload LIKE $1 AND topic LIKE"
                + " 'platform/events/threshold_%' ORDER BY id", "%\"device_id\":\"" + device + "\"%")
                .stream().map(row -> new JsonObject(row.getString(0)))
                .map(e -> e.getString("event") + ":" + e.getDouble("current_value") + ":"
                        + e.getJsonObject("metadata").getString("unit", ""))
                .toList();
    }

    private static List<MqttProbe.Received> forDevice(MqttProbe probe, String event, String device) {
        return probe.receivedOn("platform/events/" + event).stream()
                .filter(m -> m.payload().contains("\"device_id\":\"" + device + "\"")).toList();
    }

    private static String createRule(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/rules")
                .then().statusCode(201).extract().path("data.id");
    }

    private static void ingest(String device, Instant ts, double value) {
        given().contentType(ContentType.JSON).body("{\"ts\":\"" + ts + "\",\"temperature\":" + value + "}")
                .post("/api/v1/devices/{id}/data", device)
                .then().statusCode(201);
    }
}
