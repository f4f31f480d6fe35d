package io.fleetline.system;

import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.WEBHOOKS;
import static io.fleetline.system.Stack.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;

/**
 * Each service's {@code /q/metrics}, scraped as Prometheus does (no key), shows its business
 * metrics moving after traffic.
 */
class MetricsIT {

    private static final String REGISTRY_METRICS = Stack.prop("fleetline.metrics.registry", "http://127.0.0.1:8081");
    private static final String TELEMETRY_METRICS = Stack.prop("fleetline.metrics.telemetry", "http://127.0.0.1:8082");
    private static final String WEBHOOK_METRICS = Stack.prop("fleetline.metrics.webhooks", "http://127.0.0.1:8083");
    private static final String BRIDGE_METRICS = Stack.prop("fleetline.api.ingest", "http://127.0.0.1:8084");

    private static final String REGISTERED = "fleetline_events_published_total{event=\"device_registered\"";
    private static final String HTTP_READINGS = "fleetline_ingest_readings_total{source=\"http\"";
    private static final String MQTT_READINGS = "fleetline_ingest_readings_total{source=\"mqtt\"";
    private static final String DELIVERED = "fleetline_webhook_deliveries_total{result=\"succeeded\"";
    private static final String COMMANDS = "fleetline_commands{";

    @Test
    void businessMetricsOfEveryServiceMoveWithTraffic() {
        double registered = value(REGISTRY_METRICS, REGISTERED);
        double httpReadings = value(TELEMETRY_METRICS, HTTP_READINGS);
        double mqttReadings = value(BRIDGE_METRICS, MQTT_READINGS);
        double delivered = value(WEBHOOK_METRICS, DELIVERED);
        double commands = value(REGISTRY_METRICS, COMMANDS);

        String id = Stack.register("metrics-" + Stack.run(), "sensor", "{\"sample_interval_s\":60}");
        as(TELEMETRY).body("{\"temperature\":20.5}").post("/api/v1/devices/" + id + "/data").then().statusCode(201);
        as(REGISTRY).body("{\"command\":\"ping\"}").post("/api/v1/devices/" + id + "/commands").then().statusCode(201);
        try (MqttProbe device = Stack.mqtt()) {
            for (int n = 0; n < 3; n++) {
                device.publish("devices/" + id + "/telemetry", "{\"temperature\":21." + n + ",\"msg_id\":\"m" + n + "\"}", false);
            }
        }
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String endpoint = as(WEBHOOKS).body("{\"url\":\"" + receiver.url("/metrics") + "\",\"events\":[\"ping\"]}")
                    .post("/api/v1/webhooks").then().statusCode(201).extract().path("data.id");
            as(WEBHOOKS).post("/api/v1/webhooks/" + endpoint + "/test").then().statusCode(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.events("ping").size() == 1);
            as(WEBHOOKS).delete("/api/v1/webhooks/" + endpoint).then().statusCode(200);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> value(REGISTRY_METRICS, REGISTERED) >= registered + 1
                && value(TELEMETRY_METRICS, HTTP_READINGS) >= httpReadings + 1
                && value(BRIDGE_METRICS, MQTT_READINGS) >= mqttReadings + 3
                && value(WEBHOOK_METRICS, DELIVERED) >= delivered + 1
                && value(REGISTRY_METRICS, COMMANDS) >= commands + 1);
        as(REGISTRY).delete("/api/v1/devices/" + id).then().statusCode(204);
    }

    /** The sum of the series of {@code /q/metrics} at {@code base} that start with {@code series}; 0 when absent. */
    private static double value(String base, String series) {
        String text = given().baseUri(base).get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
