package io.fleetline.telemetry.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.Json;

class CsvTest {

    @Test
    void instantsAreWrittenAsInstantToStringWritesThem() {
        SplittableRandom random = new SplittableRandom(42);
        List<Instant> samples = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2024-05-01T10:00:00Z"),
                Instant.parse("2024-05-01T10:00:00.500Z"), Instant.parse("2024-02-29T23:59:59.000001Z"),
                Instant.parse("0001-01-01T00:00:00.000000001Z"), Instant.parse("9999-12-31T23:59:59.999999999Z")));
        for (int i = 0; i < 10_000; i++) {
            long second = random.nextLong(-62_135_596_800L, 253_402_300_799L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            samples.add(Instant.ofEpochSecond(second, nano));
        }
        for (Instant instant : samples) {
            StringBuilder out = new StringBuilder();
            Csv.instant(out, instant);
            assertEquals(instant.toString(), out.toString());
        }
    }

    @Test
    void numbersAndBooleansAreWrittenAsJsonWritesThem() {
        for (Object value : List.of(22, -7L, 21.5, 1013.25, 1.0E10, 1.0E-7, 0.1 + 0.2, new BigDecimal("24.30"),
                new BigInteger("123456789012345678901234567890"), true, false)) {
            assertEquals(Json.encode(value), Csv.value(value), String.valueOf(value));
        }
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("lat", 1.5);
        nested.put("tags", List.of("a", "b"));
        assertEquals("{\"lat\":1.5,\"tags\":[\"a\",\"b\"]}", Csv.value(nested));
        assertEquals("she said \"hi\"", Csv.value("she said \"hi\""));
        assertEquals("", Csv.value(null));
    }
}
