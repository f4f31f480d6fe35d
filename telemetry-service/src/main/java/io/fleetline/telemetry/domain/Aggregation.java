package io.fleetline.telemetry.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fleetline.commons.api.ApiException;

/** The parameters of an aggregate query: bucket width, functions and (optionally) named metrics. */
public record Aggregation(String intervalName, Duration interval, List<String> functions, List<String> metrics) {

    /** The bucket widths offered; buckets are aligned to UTC (epoch) boundaries. */
    public static final Map<String, Duration> INTERVALS = Map.of(
            "1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5), "15m", Duration.ofMinutes(15),
            "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));
    /** The functions offered, in answer order. */
    public static final List<String> FUNCTIONS = List.of("avg", "min", "max", "sum", "count", "last");
    /** Most buckets one query may span, so a year at 1m is refused instead of computed. */
    public static final long MAX_BUCKETS = 50_000;

    /** The aggregation the query parameters ask for (defaults: 1h, avg,min,max,count, every numeric metric). */
    public static Aggregation parse(String interval, String fn, String metrics) {
        String intervalName = interval == null ? "1h" : interval;
        Duration width = INTERVALS.get(intervalName);
        if (width == null) {
            throw ApiException.invalidField("interval", "must be one of 1m, 5m, 15m, 1h, 1d.");
        }
        Set<String> functions = new LinkedHashSet<>();
        for (String name : split(fn == null ? "avg,min,max,count" : fn)) {
            if (!FUNCTIONS.contains(name)) {
                throw ApiException.invalidField("fn", "must list functions among avg, min, max, sum, count, last.");
            }
            functions.add(name);
        }
        if (functions.isEmpty()) {
            throw ApiException.invalidField("fn", "must list functions among avg, min, max, sum, count, last.");
        }
        Set<String> named = new LinkedHashSet<>();
        if (metrics != null) {
            for (String metric : split(metrics)) {
                if (!RuleDrafts.METRIC.matcher(metric).matches()) {
                    throw ApiException.invalidField("metrics", "must list metric names matching "
                            + RuleDrafts.METRIC.pattern());
                }
                named.add(metric);
            }
            if (named.isEmpty()) {
                throw ApiException.invalidField("metrics", "must name at least one metric when given.");
            }
        }
        return new Aggregation(intervalName, width, List.copyOf(functions), List.copyOf(named));
    }

    private static List<String> split(String list) {
        List<String> items = new ArrayList<>();
        for (String item : list.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }
}
