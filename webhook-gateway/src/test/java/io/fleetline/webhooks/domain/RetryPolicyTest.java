package io.fleetline.webhooks.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2)), 0.2, Duration.ofHours(1),
            Duration.ofHours(72));

    @Test
    void delaysFollowTheScheduleWithinTheJitterAndTheLastRepeats() {
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            assertBetween(policy.delay(1, Optional.empty(), random), 4000, 6000);
            assertBetween(policy.delay(2, Optional.empty(), random), 24000, 36000);
            assertBetween(policy.delay(9, Optional.empty(), random), 96000, 144000);
        }
    }

    @Test
    void retryAfterWinsWhenLongerAndIsCapped() {
        Random random = new Random(7);
        assertEquals(Duration.ofSeconds(90), policy.delay(1, Optional.of(Duration.ofSeconds(90)), random));
        assertEquals(Duration.ofHours(1), policy.delay(1, Optional.of(Duration.ofHours(5)), random));
        assertBetween(policy.delay(1, Optional.of(Duration.ofSeconds(1)), random), 4000, 6000);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-03-10T15:10:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryPolicy.parseRetryAfter("120", now));
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                RetryPolicy.parseRetryAfter("Tue, 10 Mar 2026 15:10:30 GMT", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter("soon", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter("-5", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter(null, now));
    }

    @Test
    void deliveriesGiveUpAfterTheWindow() {
        Instant start = Instant.parse("2026-03-10T00:00:00Z");
        assertFalse(policy.exhausted(start, start.plus(Duration.ofHours(71))));
        assertTrue(policy.exhausted(start, start.plus(Duration.ofHours(72))));
    }

    private static void assertBetween(Duration delay, long minMillis, long maxMillis) {
        assertTrue(delay.toMillis() >= minMillis && delay.toMillis() <= maxMillis, delay.toString());
    }
}
