package io.fleetline.telemetry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

@QuarkusTest
class IngestResourceTest {

    @Inject
    Pool pool;

    private String device() {
        return TestDevices.register(pool, "ingest");
    }

    private long readings(String deviceId) {
        return TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings WHERE device_id = $1", deviceId);
    }

    @Test
    void aReadingIsStoredAndAnswers201WithItsIdAndTs() {
        String id = device();
        long readingId = given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"temperature\":24.3,\"serial\":\"00100\",\"ok\":true,"
                        + "\"gps\":{\"lat\":1.5},\"ts\":\"2024-05-01T12:00:00+02:00\",\"msg_id\":\"m-1\"}")
                .when().post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201)
                .body("status", equalTo("ok"))
                .body("message", equalTo("Reading stored."))
                .body("data.ts", equalTo("2024-05-01T10:00:00Z"))
                .extract().jsonPath().getLong("data.id");

        Row row = TestDevices.query(pool, "SELECT id, ts, msg_id, payload FROM telemetry.readings WHERE device_id = $1", id)
                .iterator().next();
        assertEquals(readingId, row.getLong("id"));
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), row.getOffsetDateTime("ts").toInstant());
        assertEquals("m-1", row.getString("msg_id"));
        JsonObject payload = (JsonObject) row.getValue("payload");
        assertEquals(new JsonObject("{\"temperature\":24.3,\"serial\":\"00100\",\"ok\":true,\"gps\":{\"lat\":1.5}}"), payload,
                "the payload keeps the metrics only, and \"00100\" stays a string");
        Row device = TestDevices.query(pool, "SELECT last_seen, connectivity FROM registry.devices WHERE device_id = $1", id)
                .iterator().next();
        assertEquals("online", device.getString("connectivity"));
        assertTrue(device.getOffsetDateTime("last_seen") != null);
        assertEquals(readingId, TestDevices.count(pool, "SELECT reading_id FROM telemetry.latest WHERE device_id = $1", id));
    }

    @Test
    void aReadingWithoutTsIsStampedWithTheArrivalTime() {
        String id = device();
        Instant before = Instant.now().minusSeconds(5);
        String ts = given().contentType(ContentType.JSON).body("{\"humidity\":40}")
                .when().post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201).extract().jsonPath().getString("data.ts");
        assertTrue(Instant.parse(ts).isAfter(before));
        assertEquals(1, readings(id));
    }

    @Test
    void theSameMsgIdTwiceAnswers200WithTheStoredReadingAndStoresOnce() {
        String id = device();
        String body = "{\"temperature\":20,\"msg_id\":\"abc\"}";
        long first = given().contentType(ContentType.JSON).body(body).post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201).extract().jsonPath().getLong("data.id");
        given().contentType(ContentType.JSON).body("{\"temperature\":21,\"msg_id\":\"abc\"}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(200)
                .body("data.id", equalTo((int) first))
                .body("message", containsString("Duplicate"));
        assertEquals(1, readings(id));
    }

    @Test
    void theSameDeviceTsWithoutMsgIdIsStoredOnce() {
        String id = device();
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body("{\"temperature\":20,\"ts\":1714557600000}")
                    .post("/api/v1/devices/" + id + "/data")
                    .then().statusCode(i == 0 ? 201 : 200).body("data.ts", equalTo("2024-05-01T10:00:00Z"));
        }
        assertEquals(1, readings(id));
    }

    @Test
    void anUnknownDeviceIs404AndNothingIsStored() {
        String id = TestDevices.uniqueId("ghost");
        given().contentType(ContentType.JSON).body("{\"temperature\":20}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(404)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Device '" + id + "' not found."));
        assertEquals(0, readings(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[1,2]", "null", "42", "\"x\"", "{}", "{\"t\":NaN}", "{\"t\":Infinity}", "{\"t\":-Infinity}", "{\"t\":1e999}",
        "{\"t\":1,\"t\":2}", "{\"t\":1} x", "{\"t\":", "{\"9lives\":1}", "{\"bad name\":1}", "{\"t\":null}",
        "{\"t\":[1,2]}", "{\"t\":1,\"ts\":\"yesterday\"}", "{\"t\":1,\"ts\":\"2999-01-01T00:00:00Z\"}",
        "{\"t\":1,\"ts\":true}", "{\"t\":1,\"device_id\":\"someone-else\"}", "{\"t\":1,\"msg_id\":\"\"}",
        "{\"ts\":1714557600000}", "{\"g\":{\"x\":NaN}}"
    })
    void everyRejectedBodyIs400AndStoresNothing(String body) {
        String id = device();
        given().contentType(ContentType.JSON).body(body)
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", notNullValue());
        assertEquals(0, readings(id));
    }

    @Test
    void rejectionsNameTheFieldAndTheRule() {
        String id = device();
        given().contentType(ContentType.JSON).body("{\"temperature\":1e999}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(400).body("error.message", equalTo("Field 'temperature' must be a finite number."));
        given().contentType(ContentType.JSON).body("{\"s\":\"" + "x".repeat(257) + "\"}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(400).body("error.message", equalTo("Field 's' must be at most 256 characters."));
        given().contentType(ContentType.JSON).body("{\"t\":1,\"device_id\":\"other\"}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(400).body("error.message", containsString("Field 'device_id' must equal"));
        assertEquals(0, readings(id));
    }

    @Test
    void aStringOf256CharactersAndATsWithoutOffsetAreAccepted() {
        String id = device();
        given().contentType(ContentType.JSON)
                .body("{\"s\":\"" + "x".repeat(256) + "\",\"ts\":\"2024-05-01T10:00:00.500\"}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201).body("data.ts", equalTo("2024-05-01T10:00:00.500Z"));
    }

    @Test
    void aReadingOver64KiBIs413AndStoresNothingWhileOneJustUnderIsStored() {
        String id = device();
        given().contentType(ContentType.JSON).body(readingOfBytes(64 * 1024 + 1))
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(413).body("status", equalTo("error")).body("error.code", equalTo(413));
        assertEquals(0, readings(id));
        given().contentType(ContentType.JSON).body(readingOfBytes(64 * 1024))
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(201);
        assertEquals(1, readings(id));
    }

    /** A valid reading of exactly {@code bytes} bytes: string metrics of 200 characters, padded. */
    private static String readingOfBytes(int bytes) {
        StringBuilder body = new StringBuilder("{");
        int i = 0;
        while (bytes - body.length() > 260) {
            body.append("\"m").append(i++).append("\":\"").append("y".repeat(200)).append("\",");
        }
        int pad = bytes - body.length() - "\"z\":\"\"}".length();
        body.append("\"z\":\"").append("y".repeat(pad)).append("\"}");
        assertEquals(bytes, body.length());
        return body.toString();
    }

    @Test
    void aNonJsonContentTypeIs415() {
        String id = device();
        given().contentType(ContentType.TEXT).body("{\"t\":1}")
                .post("/api/v1/devices/" + id + "/data")
                .then().statusCode(415).body("status", equalTo("error")).body("error.code", equalTo(415));
        assertEquals(0, readings(id));
    }

    @Test
    void bulkIngestStoresAllReadingsAndAnswers201WithTheCount() {
        String id = device();
        given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"readings\":[{\"t\":1,\"ts\":1714557600000},"
                        + "{\"t\":2,\"ts\":1714557601000},{\"t\":3,\"msg_id\":\"x\",\"ts\":\"2024-05-01T09:00:00Z\"}]}")
                .post("/api/v1/ingest")
                .then().statusCode(201)
                .body("data.count", equalTo(3))
                .body("data.stored", equalTo(3));
        assertEquals(3, readings(id));
        assertEquals(2L, TestDevices.count(pool,
                "SELECT (payload->>'t')::bigint FROM telemetry.latest WHERE device_id = $1", id),
                "latest follows device time: the reading of 10:00:01 beats the earlier one");
    }

    @Test
    void bulkIngestAcceptsOneReadingObjectOnTheClassicPath() {
        String id = device();
        given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"readings\":{\"t\":1}}")
                .post("/api/devices/ingest")
                .then().statusCode(201).body("data.count", equalTo(1));
        assertEquals(1, readings(id));
    }

    @Test
    void bulkIngestIsAllOrNothing() {
        String id = device();
        given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + id + "\",\"readings\":[{\"t\":1},{\"t\":NaN}]}")
                .post("/api/v1/ingest")
                .then().statusCode(400).body("error.message", equalTo("Field 'readings[1].t' must be a finite number."));
        assertEquals(0, readings(id));
    }

    @Test
    void bulkIngestRefusesMoreThan1000ReadingsAndUnknownDevices() {
        String id = device();
        StringBuilder many = new StringBuilder("{\"device_id\":\"" + id + "\",\"readings\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"t\":").append(i).append('}');
        }
        given().contentType(ContentType.JSON).body(many.append("]}").toString())
                .post("/api/v1/ingest")
                .then().statusCode(400).body("error.message", containsString("1 to 1000"));
        given().contentType(ContentType.JSON).body("{\"device_id\":\"nobody-" + id + "\",\"readings\":[{\"t\":1}]}")
                .post("/api/v1/ingest")
                .then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"readings\":[{\"t\":1}]}")
                .post("/api/v1/ingest")
                .then().statusCode(400).body("error.message", containsString("Field 'device_id'"));
        assertEquals(0, readings(id));
    }

    @Test
    void anOlderReadingPostedConcurrentlyWithANewerOneNeverReplacesLatest() throws Exception {
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            devices.add(device());
        }
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Void>> posts = new ArrayList<>();
            for (String id : devices) {
                for (String body : List.of("{\"v\":\"new\",\"ts\":\"" + base.plusSeconds(60) + "\"}",
                        "{\"v\":\"old\",\"ts\":\"" + base + "\"}")) {
                    posts.add(CompletableFuture.runAsync(() -> given().contentType(ContentType.JSON).body(body)
                            .post("/api/v1/devices/" + id + "/data").then().statusCode(201), threads));
                }
            }
            CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdown();
        }
        for (String id : devices) {
            Row latest = TestDevices.query(pool, "SELECT payload->>'v' AS v, ts FROM telemetry.latest WHERE device_id = $1", id)
                    .iterator().next();
            assertEquals("new", latest.getString("v"), "latest of " + id);
            assertEquals(base.plusSeconds(60), latest.getOffsetDateTime("ts").toInstant());
            assertEquals(2, readings(id));
        }
    }

    @Test
    void concurrentReadingsCommittedTogetherEachGetTheirOwnAnswer() throws Exception {
        String id = device();
        String unknown = "ingest-unknown-" + System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(16);
        List<CompletableFuture<io.restassured.response.Response>> first = new ArrayList<>();
        List<CompletableFuture<io.restassured.response.Response>> second = new ArrayList<>();
        List<CompletableFuture<io.restassured.response.Response>> strangers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                String body = "{\"n\":" + i + ",\"msg_id\":\"burst-" + i + "\"}";
                first.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON).body(body)
                        .post("/api/v1/devices/" + id + "/data"), threads));
                second.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON).body(body)
                        .post("/api/v1/devices/" + id + "/data"), threads));
                if (i % 10 == 0) {
                    strangers.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON).body(body)
                            .post("/api/v1/devices/" + unknown + "/data"), threads));
                }
            }
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(second.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(strangers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdown();
        }
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            io.restassured.response.Response a = first.get(i).get();
            io.restassured.response.Response b = second.get(i).get();
            List<Integer> statuses = new ArrayList<>(List.of(a.statusCode(), b.statusCode()));
            statuses.sort(null);
            assertEquals(List.of(200, 201), statuses, "reading " + i + ": stored once, the other answer a duplicate");
            long stored = a.jsonPath().getLong("data.id");
            assertEquals(stored, b.jsonPath().getLong("data.id"), "both answers of reading " + i + " name the stored reading");
            ids.add(stored);
            Row row = TestDevices.query(pool, "SELECT payload->>'n' AS n, msg_id FROM telemetry.readings WHERE id = $1", stored)
                    .iterator().next();
            assertEquals(String.valueOf(i), row.getString("n"));
            assertEquals("burst-" + i, row.getString("msg_id"));
        }
        assertEquals(100, ids.size());
        assertEquals(100, readings(id));
        for (CompletableFuture<io.restassured.response.Response> stranger : strangers) {
            stranger.get().then().statusCode(404).body("error.message", equalTo("Device '" + unknown + "' not found."));
        }
        assertEquals(0, readings(unknown));
    }
}
