package io.fleetline.webhooks.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: the schedule's entry for the failure count (the last one
 * repeats) with jitter, never sooner than a receiver's {@code Retry-After} (capped), and never
 * after the give-up age.
 */
public final class RetryPolicy {

    private final List<Duration> schedule;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final Duration giveUpAfter;

    public RetryPolicy(List<Duration> schedule, double jitter, Duration maxRetryAfter, Duration giveUpAfter) {
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("The retry schedule needs at least one delay");
        }
        this.schedule = List.copyOf(schedule);
        this.jitter = jitter;
        this.maxRetryAfter = maxRetryAfter;
        this.giveUpAfter = giveUpAfter;
    }

    /** The delay after the {@code failures}-th failed attempt (1-based), honouring {@code retryAfter}. */
    public Duration delay(int failures, Optional<Duration> retryAfter, RandomGenerator random) {
        Duration base = schedule.get(Math.min(Math.max(failures, 1), schedule.size()) - 1);
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        Duration jittered = Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * factor)));
        return retryAfter.map(this::bounded).filter(after -> after.compareTo(jittered) > 0).orElse(jittered);
    }

    /** {@code retryAfter} within the configured bound. */
    public Duration bounded(Duration retryAfter) {
        return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }

    /** Whether a delivery whose retry cycle began at {@code cycleStart} should stop at {@code now}. */
    public boolean exhausted(Instant cycleStart, Instant now) {
        return !now.isBefore(cycleStart.plus(giveUpAfter));
    }

    /** A {@code Retry-After} header: delay seconds or an HTTP date; empty when absent or unreadable. */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(now, at);
                return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
