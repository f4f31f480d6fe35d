package io.fleetline.system.load;

import java.util.Arrays;

/** Latency samples in microseconds, thread-safe, with percentiles. */
final class Latencies {

    private long[] samples = new long[1 << 16];
    private int size;

    synchronized void add(long micros) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = micros;
    }

    synchronized int count() {
        return size;
    }

    /** The {@code p}-th percentile (0-100) in milliseconds, nearest rank; NaN without samples. */
    synchronized double percentileMs(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, rank))] / 1000.0;
    }

    /** {@code p50 / p95 / p99 / max} in milliseconds. */
    String summary() {
        return String.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                percentileMs(50), percentileMs(95), percentileMs(99), percentileMs(100));
    }
}
