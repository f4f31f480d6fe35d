package io.fleetline.system;

import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;
import io.restassured.path.json.JsonPath;

/** Devices of three types report over MQTT; the API answers their range and CSV export. */
class MqttTelemetryIT {

    @Test
    void readingsPublishedOverMqttAreQueryableAndExportAsCsv() {
        String run = Stack.run();
        List<String> devices = List.of(
                Stack.register("sensor-" + run, "sensor", "{\"sample_interval_s\":60}"),
                Stack.register("actuator-" + run, "actuator", "{\"sample_interval_s\":60}"),
                Stack.register("gateway-" + run, "gateway", "{\"sample_interval_s\":60}"));
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

        try (MqttProbe device = Stack.mqtt()) {
            for (String id : devices) {
                for (int n = 0; n < 5; n++) {
                    device.publish("devices/" + id + "/telemetry", """
                            {"msg_id":"m%d","ts":"%s","temperature":%s,"humidity":%d,"label":"n,%d"}"""
                            .formatted(n, base.plusSeconds(10L * n), 20.5 + n, 50 + n, n), false);
                }
            }
        }

        for (String id : devices) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(TELEMETRY)
                    .queryParam("start", base.toString()).queryParam("end", base.plusSeconds(40).toString())
                    .get("/api/v1/devices/" + id + "/data")
                    .then().statusCode(200).body("count", equalTo(5)));
        }

        // a range of one device: the middle three, oldest first, every field as published
        String sensor = devices.get(0);
        JsonPath range = as(TELEMETRY)
                .queryParam("start", base.plusSeconds(10).toString()).queryParam("end", base.plusSeconds(30).toString())
                .get("/api/v1/devices/" + sensor + "/data")
                .then().statusCode(200).body("status", equalTo("ok")).body("count", equalTo(3))
                .extract().jsonPath();
        for (int i = 0; i < 3; i++) {
            int n = i + 1;
            assertEquals(base.plusSeconds(10L * n), Instant.parse(range.getString("data[" + i + "].timestamp")));
            assertEquals(20.5 + n, range.getDouble("data[" + i + "].payload.temperature"), 1e-9);
            assertEquals(50 + n, range.getInt("data[" + i + "].payload.humidity"));
            assertEquals("n," + n, range.getString("data[" + i + "].payload.label"));
        }

        // the CSV export of the gateway device, parsed back
        String csv = as(TELEMETRY).accept("text/csv")
                .queryParam("start", base.toString()).queryParam("end", base.plusSeconds(40).toString())
                .get("/api/v1/devices/" + devices.get(2) + "/data/export")
                .then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv"))
                .extract().asString();
        List<List<String>> rows = parseCsv(csv);
        assertEquals(6, rows.size(), "header and five rows: " + csv);
        List<String> header = rows.get(0);
        assertEquals(List.of("timestamp", "received_at"), header.subList(0, 2));
        int temperature = header.indexOf("temperature");
        int humidity = header.indexOf("humidity");
        int label = header.indexOf("label");
        for (int n = 0; n < 5; n++) {
            List<String> row = rows.get(n + 1);
            assertEquals(base.plusSeconds(10L * n), Instant.parse(row.get(0)));
            assertEquals(20.5 + n, Double.parseDouble(row.get(temperature)), 1e-9);
            assertEquals(50 + n, Double.parseDouble(row.get(humidity)), 1e-9);
            assertEquals("n," + n, row.get(label));
        }

        for (String id : devices) {
            as(REGISTRY).get("/api/v1/devices/" + id).then().statusCode(200)
                    .body("data.connectivity", equalTo("online"));
        }
    }

    /** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
