package io.fleetline.system.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ingest-bridge's own {@code fleetline_ingest_commit_lag} histogram, read from its
 * {@code /q/metrics}: from a reading's device time to the moment the bridge saw its batch
 * committed. {@code received_at} in the table is the start of the storing transaction, so it
 * bounds the commit from below; this bounds it from above (it also holds the wait for the
 * bridge's event loop after the commit).
 */
final class BridgeLag {

    private static final Pattern BUCKET = Pattern.compile(
            "^fleetline_ingest_commit_lag_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI metrics;

    BridgeLag(Options options) {
        this.metrics = URI.create(options.text("bridge", "http://127.0.0.1:8084") + "/q/metrics");
    }

    /** The cumulative bucket counts by upper bound in seconds (+Inf included). */
    Map<Double, Double> buckets() throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<Double, Double> buckets = new TreeMap<>();
        Matcher bucket = BUCKET.matcher(body);
        while (bucket.find()) {
            double bound = bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1));
            buckets.merge(bound, Double.parseDouble(bucket.group(2)), Double::sum);
        }
        return buckets;
    }

    /**
     * The p50, p95 and p99 of the readings committed between two readings of {@link #buckets},
     * each as the upper bound of the bucket it falls in.
     */
    static String summary(Map<Double, Double> before, Map<Double, Double> after) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        StringBuilder text = new StringBuilder();
        for (double quantile : new double[] { 0.50, 0.95, 0.99 }) {
            for (Map.Entry<Double, Double> bucket : after.entrySet()) {
                if (bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0) >= quantile * total) {
                    text.append(String.format("p%.0f <= %.1f ms, ", quantile * 100, bucket.getKey() * 1000));
                    break;
                }
            }
        }
        return text.append(String.format("%.0f readings", total)).toString();
    }
}
