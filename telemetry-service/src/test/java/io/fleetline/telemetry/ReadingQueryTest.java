package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class ReadingQueryTest {

    @Inject
    Pool pool;

    @Test
    void latestOfADeviceWithoutReadingsIsNullWithAMessage() {
        String device = TestDevices.register(pool, "q-empty");
        given().get("/api/v1/devices/{id}/data", device)
                .then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("data", nullValue())
                .body("message", equalTo("No readings yet."));
    }

    @Test
    void queriesOfAnUnknownDeviceAre404() {
        String device = TestDevices.uniqueId("q-unknown");
        given().get("/api/v1/devices/{id}/data", device)
                .then().statusCode(404).body("error.message", equalTo("Device '" + device + "' not found."));
        given().get("/api/v1/devices/{id}/data?start=-1d", device).then().statusCode(404);
        given().get("/api/v1/devices/{id}/data/aggregate", device).then().statusCode(404);
    }

    @Test
    void latestIsTheNewestByDeviceTimeNotByArrival() {
        String device = TestDevices.register(pool, "q-latest");
        post(device, "{\"ts\":\"2024-05-01T10:00:05Z\",\"temperature\":25.5}").statusCode(201);
        post(device, "{\"ts\":\"2024-05-01T10:00:01Z\",\"temperature\":20.0}").statusCode(201);
        given().get("/api/v1/devices/{id}/data", device)
                .then().statusCode(200)
                .body("data.device_id", equalTo(device))
                .body("data.timestamp", equalTo("2024-05-01T10:00:05Z"))
                .body("data.payload.temperature", equalTo(25.5f))
                .body("data.received_at", containsString("T"));
    }

    @Test
    void aRangeComparesInstantsWhateverTheOffsetOrItsSpelling() {
        String device = TestDevices.register(pool, "q-time");
        Readings.insert(pool, device, "2024-05-01T09:59:59.999Z", "{\"n\":0}");
        long half = Readings.insert(pool, device, "2024-05-01T10:00:00.500Z", "{\"n\":1}");
        long twelve = Readings.insert(pool, device, "2024-05-01T12:00:00+02:00", "{\"n\":2}");
        Readings.insert(pool, device, "2024-05-01T10:00:01.001Z", "{\"n\":3}");

        for (String[] range : List.of(
                new String[] { "2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z" },
                new String[] { "2024-05-01T10:00:00+00:00", "2024-05-01T10:00:01+00:00" },
                new String[] { "2024-05-01T10:00:00", "2024-05-01T10:00:01" },
                new String[] { "2024-05-01T12:00:00+02:00", "2024-05-01T06:00:01-04:00" },
                new String[] { "1714557600000", "1714557601000" })) {
            // rest-assured encodes '+' as %2B, so the offset arrives intact
            given().queryParam("start", range[0]).queryParam("end", range[1])
                    .get("/api/v1/devices/{id}/data", device)
                    .then().statusCode(200)
                    .body("count", equalTo(2))
                    .body("data[0].id", equalTo((int) twelve))
                    .body("data[0].timestamp", equalTo("2024-05-01T10:00:00Z"))
                    .body("data[1].id", equalTo((int) half))
                    .body("data[1].timestamp", equalTo("2024-05-01T10:00:00.500Z"))
                    .body("pagination.next_cursor", nullValue());
        }
        // the same range with the offset's '+' URL-encoded by hand
        given().urlEncodingEnabled(false)
                .get("/api/v1/devices/" + device + "/data?start=2024-05-01T10:00:00%2B00:00&end=2024-05-01T10:00:01%2B00:00")
                .then().statusCode(200).body("count", equalTo(2)).body("data[0].id", equalTo((int) twelve));
        given().queryParam("start", "2024-05-01T10:00:00Z").queryParam("end", "2024-05-01T10:00:01Z")
                .queryParam("order", "desc")
                .get("/api/v1/devices/{id}/data", device)
                .then().statusCode(200).body("data.id", equalTo(List.of((int) half, (int) twelve)));
    }

    @Test
    void badRangeParametersAre400sNamingTheField() {
        String device = TestDevices.register(pool, "q-bad");
        expect400(device, "start=2024-05-02T00:00:00Z&end=2024-05-01T00:00:00Z", "Field 'start' must not be after 'end'.");
        expect400(device, "start=yesterday", "Field 'start' must be an RFC 3339 time");
        expect400(device, "end=2024-13-45T00:00:00Z", "Field 'end' must be an RFC 3339 time");
        String limitRule = "Field 'limit' must be an integer of 1 or more; above 10000 it is clamped to 10000.";
        expect400(device, "limit=0", limitRule);
        expect400(device, "limit=-5", limitRule);
        expect400(device, "limit=ten", limitRule);
        expect400(device, "limit=abc", limitRule);
        expect400(device, "limit=1.5", limitRule);
        expect400(device, "cursor=nonsense", "Field 'cursor' must be a next_cursor value");
        expect400(device, "order=sideways", "Field 'order' must be asc or desc.");
    }

    @Test
    void aLimitAboveTheMaximumIsClampedAndSaysSo() {
        String device = TestDevices.register(pool, "q-clamp");
        Readings.insert(pool, device, "2024-05-01T10:00:00Z", "{\"n\":1}");
        given().get("/api/v1/devices/{id}/data?start=-100000d&limit=20000", device)
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("pagination.limit", equalTo(10000))
                .body("message", equalTo("limit 20000 is above the maximum; clamped to 10000."));
        given().get("/api/v1/devices/{id}/data?start=-100000d&limit=99999999999999999999", device)
                .then().statusCode(200)
                .body("pagination.limit", equalTo(10000))
                .body("message", equalTo("limit 99999999999999999999 is above the maximum; clamped to 10000."));
        given().get("/api/v1/devices/{id}/data?start=-100000d", device)
                .then().statusCode(200).body("pagination.limit", equalTo(1000)).body("message", nullValue());
    }

    @Test
    void keysetPagesReturnEachReadingOnceWhileNewOnesArrive() {
        String device = TestDevices.register(pool, "q-pages");
        Set<Long> original = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            original.add(Readings.insert(pool, device, String.format("2024-05-01T10:00:%02dZ", i * 2), "{\"n\":" + i + "}"));
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("start", "2024-05-01T10:00:00Z").queryParam("end", "2024-05-01T11:00:00Z")
                    .queryParam("limit", 10);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var body = request.get("/api/v1/devices/{id}/data", device).then().statusCode(200).extract().jsonPath();
            for (Object id : body.getList("data.id")) {
                seen.add(((Number) id).longValue());
            }
            cursor = body.getString("pagination.next_cursor");
            pages++;
            // between pages: a reading before the cursor, one at the same second as a seen one, one ahead
            Readings.insert(pool, device, String.format("2024-05-01T10:00:%02d.250Z", pages), "{\"late\":true}");
            Readings.insert(pool, device, String.format("2024-05-01T10:00:%02dZ", pages * 2), "{\"same_ts\":true}");
            Readings.insert(pool, device, String.format("2024-05-01T10:05:%02dZ", pages), "{\"ahead\":true}");
        } while (cursor != null && pages < 10);

        assertEquals(new HashSet<>(seen).size(), seen.size(), "no reading is returned twice: " + seen);
        assertTrue(seen.containsAll(original), "every original reading is returned");
        assertNull(cursor, "the last page has no next cursor");
    }

    private static ValidatableResponse post(String device, String body) {
        return given().contentType(ContentType.JSON).body(body)
                .post("/api/v1/devices/{id}/data", device).then();
    }

    private static void expect400(String device, String query, String message) {
        given().urlEncodingEnabled(false).get("/api/v1/devices/" + device + "/data?" + query)
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", containsString(message));
    }
}
