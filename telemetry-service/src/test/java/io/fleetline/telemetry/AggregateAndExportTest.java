package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class AggregateAndExportTest {

    private static final String RANGE = "start=2024-05-01T10:00:00Z&end=2024-05-01T11:59:59Z";

    @Inject
    Pool pool;

    @Test
    void aggregateBucketsMatchValuesComputedByHand() {
        String device = TestDevices.register(pool, "agg");
        // bucket 10:00-10:05: 20, 22, 27 ; bucket 10:05-10:10 empty ; bucket 10:10-10:15: 30 (+ a string status)
        Readings.insert(pool, device, "2024-05-01T10:00:10Z", "{\"temperature\":20,\"humidity\":50}");
        Readings.insert(pool, device, "2024-05-01T10:04:59.999Z", "{\"temperature\":27}");
        Readings.insert(pool, device, "2024-05-01T12:02:00+02:00", "{\"temperature\":22,\"humidity\":54}");
        Readings.insert(pool, device, "2024-05-01T10:12:00Z", "{\"temperature\":30,\"status\":\"ok\"}");

        JsonPath body = given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?" + RANGE
                        + "&interval=5m&fn=avg,min,max,sum,count,last")
                .then().statusCode(200).body("count", equalTo(2)).extract().jsonPath();

        assertEquals("2024-05-01T10:00:00Z", body.getString("data[0].timestamp"));
        Map<String, Object> temperature = body.getMap("data[0].values.temperature");
        assertEquals(23.0, ((Number) temperature.get("avg")).doubleValue(), 1e-9);
        assertEquals(20.0, ((Number) temperature.get("min")).doubleValue());
        assertEquals(27.0, ((Number) temperature.get("max")).doubleValue());
        assertEquals(69.0, ((Number) temperature.get("sum")).doubleValue());
        assertEquals(3, ((Number) temperature.get("count")).intValue());
        assertEquals(27.0, ((Number) temperature.get("last")).doubleValue(), "last by device time");
        assertEquals(52.0, ((Number) body.getMap("data[0].values.humidity").get("avg")).doubleValue(), 1e-9);

        assertEquals("2024-05-01T10:10:00Z", body.getString("data[1].timestamp"));
        assertEquals(30.0, ((Number) body.getMap("data[1].values.temperature").get("avg")).doubleValue());
        assertEquals(false, body.getMap("data[1].values").containsKey("status"), "strings are not aggregated");

        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?" + RANGE + "&interval=1h&metrics=humidity&fn=max")
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("data[0].timestamp", equalTo("2024-05-01T10:00:00Z"))
                .body("data[0].values.humidity.max", equalTo(54.0f))
                .body("data[0].values", not(hasKey("temperature")));
    }

    @Test
    void aNonNumericMetricNamedExplicitlyIs400() {
        String device = TestDevices.register(pool, "agg-str");
        Readings.insert(pool, device, "2024-05-01T10:12:00Z", "{\"temperature\":30,\"status\":\"ok\"}");
        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?" + RANGE + "&metrics=temperature,status")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'metrics' names 'status', which is not numeric in this range."));
        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?" + RANGE + "&interval=2m")
                .then().statusCode(400).body("error.message", containsString("Field 'interval' must be one of"));
        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?" + RANGE + "&fn=median")
                .then().statusCode(400).body("error.message", containsString("Field 'fn'"));
        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/aggregate?start=-3650d&interval=1m")
                .then().statusCode(400).body("error.message", containsString("buckets"));
    }

    @Test
    void csvOfReadingsWithCommasAndQuotesParsesBackToTheSameValues() {
        String device = TestDevices.register(pool, "csv");
        Readings.insert(pool, device, "2024-05-01T10:00:00Z", "{\"temperature\":21.5,\"note\":\"hello, world\"}");
        Readings.insert(pool, device, "2024-05-01T10:00:01.250Z",
                "{\"temperature\":22,\"note\":\"she said \\\"hi\\\"\",\"pos\":{\"lat\":1.5,\"tags\":[\"a\",\"b\"]}}");
        Readings.insert(pool, device, "2024-05-01T10:00:02Z", "{\"humidity\":40,\"note\":\"line\\nbreak\"}");

        String csv = given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/export?" + RANGE)
                .then().statusCode(200)
                .contentType(containsString("text/csv"))
                .header("Content-Disposition", containsString(device + ".csv"))
                .extract().asString();
        List<List<String>> rows = parse(csv);

        assertEquals(List.of("timestamp", "received_at", "humidity", "note", "pos", "temperature"), rows.get(0));
        assertEquals(4, rows.size());
        assertEquals("2024-05-01T10:00:00Z", rows.get(1).get(0));
        assertEquals(List.of("", "hello, world", "", "21.5"), rows.get(1).subList(2, 6));
        assertEquals("2024-05-01T10:00:01.250Z", rows.get(2).get(0));
        assertEquals(List.of("", "she said \"hi\"", "{\"lat\":1.5,\"tags\":[\"a\",\"b\"]}", "22"),
                rows.get(2).subList(2, 6));
        assertEquals(List.of("40", "line\nbreak", "", ""), rows.get(3).subList(2, 6));

        String viaAccept = given().urlEncodingEnabled(false).accept("text/csv")
                .get("/api/v1/devices/" + device + "/data?" + RANGE)
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        assertEquals(csv, viaAccept);
        given().urlEncodingEnabled(false).get("/api/v1/devices/" + device + "/data?" + RANGE)
                .then().statusCode(200).contentType(containsString("application/json")).body("count", equalTo(3));
    }

    @Test
    void csvExportSpansManyPagesInOrder() {
        String device = TestDevices.register(pool, "csv-pages");
        pool.preparedQuery("INSERT INTO telemetry.readings (device_id, ts, payload)"
                + " SELECT $1, timestamptz '2024-05-01T10:00:00Z' + i * interval '1 second', jsonb_build_object('n', i)"
                + " FROM generate_series(0, 12344) AS i")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(device)).await().indefinitely();
        Readings.catalog(pool, device);
        String csv = given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/export?start=2024-05-01T10:00:00Z&end=2024-05-01T14:00:00Z")
                .then().statusCode(200).extract().asString();
        List<List<String>> rows = parse(csv);
        assertEquals(12346, rows.size());
        for (int i = 0; i < 12345; i++) {
            assertEquals(String.valueOf(i), rows.get(i + 1).get(2));
        }
    }

    @Test
    void theCsvHeaderHasTheMetricsOfTheRangeAndNoOthers() {
        String device = TestDevices.register(pool, "csv-header");
        // Through the writer, which keeps the catalog the header comes from.
        for (String reading : new String[] {
                "{\"ts\":\"2024-05-01T09:00:00Z\",\"temperature\":20,\"early\":1}",
                "{\"ts\":\"2024-05-01T12:00:00Z\",\"temperature\":21,\"humidity\":40}",
                "{\"ts\":\"2024-05-02T08:00:00Z\",\"temperature\":22,\"pressure\":1013}",
                "{\"ts\":\"2024-05-03T08:00:00Z\",\"late\":true}" }) {
            given().contentType(ContentType.JSON).body(reading).post("/api/v1/devices/{id}/data", device)
                    .then().statusCode(201);
        }
        // "early" was sent on the first day, but before the range; "late" after it.
        List<List<String>> rows = parse(given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/export?start=2024-05-01T10:00:00Z&end=2024-05-02T23:59:59Z")
                .then().statusCode(200).extract().asString());
        assertEquals(List.of("timestamp", "received_at", "humidity", "pressure", "temperature"), rows.get(0));
        assertEquals(List.of("40", "", "21"), rows.get(1).subList(2, 5));
        assertEquals(List.of("", "1013", "22"), rows.get(2).subList(2, 5));
        assertEquals(3, rows.size());

        List<List<String>> whole = parse(given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data/export?start=2024-04-30T00:00:00Z&end=2024-05-04T00:00:00Z")
                .then().statusCode(200).extract().asString());
        assertEquals(List.of("timestamp", "received_at", "early", "humidity", "late", "pressure", "temperature"),
                whole.get(0));
        assertEquals(5, whole.size());
    }

    @Test
    void csvExportOfAnUnknownDeviceIsAnEnvelope404() {
        String device = TestDevices.uniqueId("csv-unknown");
        given().get("/api/v1/devices/{id}/data/export", device)
                .then().statusCode(404)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Device '" + device + "' not found."));
        given().get("/api/v1/devices/{id}/data/export?start=tomorrow", device)
                .then().statusCode(400).body("error.message", containsString("Field 'start'"));
    }

    /** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
    private static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
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
            } else if (c == '\r' && csv.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertEquals(0, field.length() + row.size(), "the document ends with CRLF");
        return rows;
    }
}
