package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestDevices;
import io.fleetline.telemetry.store.PartitionMaintenance;
import io.fleetline.telemetry.store.PartitionStore;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class PartitionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    @Inject
    PartitionStore partitions;

    @Inject
    PartitionMaintenance maintenance;

    @Test
    void partitionsExistFromYesterdayToAWeekAhead() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<LocalDate> days = partitions.days().await().atMost(WAIT);
        for (int offset = -1; offset <= 7; offset++) {
            assertTrue(days.contains(today.plusDays(offset)), "partition of " + today.plusDays(offset));
        }
    }

    @Test
    void strayReadingsMoveIntoTheirOwnPartitionAndRetentionDropsWholePartitions() {
        String device = TestDevices.register(pool, "part");
        Readings.insert(pool, device, "1999-01-01T12:00:00Z", "{\"n\":1}");
        Readings.insert(pool, device, "1999-01-02T23:59:59.999Z", "{\"n\":2}");
        long kept = Readings.insert(pool, device, "1999-01-03T00:00:00Z", "{\"n\":3}");
        assertEquals(3, TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings_default WHERE device_id = $1", device));

        maintenance.run().await().atMost(WAIT);

        assertEquals(0, TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings_default WHERE device_id = $1", device));
        assertEquals(1, TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings_p19990101 WHERE device_id = $1", device));
        assertEquals(1, TestDevices.count(pool, "SELECT count(*) FROM telemetry.readings_p19990102 WHERE device_id = $1", device));

        List<LocalDate> dropped = partitions.dropEndingBy(Instant.parse("1999-01-03T00:00:00Z")).await().atMost(WAIT);

        assertTrue(dropped.containsAll(List.of(LocalDate.of(1999, 1, 1), LocalDate.of(1999, 1, 2))), dropped.toString());
        assertFalse(dropped.contains(LocalDate.of(1999, 1, 3)));
        assertEquals(0, TestDevices.count(pool, "SELECT count(*) FROM pg_class WHERE relname IN"
                + " ('readings_p19990101', 'readings_p19990102')"));
        given().get("/api/v1/devices/{id}/data?start=1998-12-31T00:00:00Z&end=1999-01-04T00:00:00Z", device)
                .then().statusCode(200)
                .body("count", equalTo(1))
                .body("data[0].id", equalTo((int) kept));
        partitions.dropEndingBy(Instant.parse("1999-01-04T00:00:00Z")).await().atMost(WAIT);
    }
}
