package io.fleetline.commons.readings;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code telemetry.metric_days}: which metrics each device sent on each UTC day of device time,
 * written in the readings writer's transaction. The CSV export takes its header from here instead
 * of reading the keys of every reading in its range.
 * <p>
 * A (device registration, day, metric) this process wrote is not written again while it is the
 * current or the previous day; older days are always written, so retention, which drops whole
 * days long past, never removes a row this process counts on. The registration
 * ({@code registry.devices.seq}) is part of what is remembered: a device deleted and registered
 * again is recorded anew, and the write refreshes {@code recorded_at}, which the deletion of the
 * earlier registration's data spares.
 */
@ApplicationScoped
public class MetricCatalog {

    /** How many device days are remembered before the memory starts over. */
    private static final int REMEMBERED = 50_000;
    private static final long SECONDS_PER_DAY = 86_400;
    // Sorted, so that concurrent writers lock catalog rows in one order.
    private static final Comparator<Entry> ORDER = Comparator.comparing(Entry::deviceId)
            .thenComparing(Entry::day).thenComparing(Entry::metric);

    /**
     * The metrics written per device registration and day: one lookup per reading, where a set
     * of entries took one per metric and was a tenth of the bridge's CPU at 10,000 readings/s.
     */
    private final Map<DeviceDay, Set<String>> recorded = new ConcurrentHashMap<>();

    /** One catalog row, with the registration of the device it was written for. */
    public record Entry(String deviceId, long registration, LocalDate day, String metric) {

        DeviceDay deviceDay() {
            return new DeviceDay(deviceId, registration, day);
        }
    }

    private record DeviceDay(String deviceId, long registration, LocalDate day) {
    }

    /**
     * Writes the rows {@code readings} add to the catalog in {@code tx} ({@code registrations}: each
     * device's {@code seq}) and answers them, to {@link #remember} once the transaction committed.
     */
    public Uni<List<Entry>> record(SqlConnection tx, List<StoredReading> readings, Map<String, Long> registrations) {
        LocalDate yesterday = yesterday();
        Set<Entry> fresh = new TreeSet<>(ORDER);
        for (StoredReading reading : readings) {
            LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(reading.ts().getEpochSecond(), SECONDS_PER_DAY));
            long registration = registrations.get(reading.deviceId());
            Set<String> written = day.isBefore(yesterday) ? Set.of()
                    : recorded.getOrDefault(new DeviceDay(reading.deviceId(), registration, day), Set.of());
            for (String metric : reading.payload().fieldNames()) {
                if (!written.contains(metric)) {
                    fresh.add(new Entry(reading.deviceId(), registration, day, metric));
                }
            }
        }
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Entry> rows = List.copyOf(fresh);
        return tx.preparedQuery("INSERT INTO telemetry.metric_days (device_id, day, metric)"
                + " SELECT * FROM unnest($1::text[], $2::date[], $3::text[])"
                + " ON CONFLICT (device_id, day, metric) DO UPDATE SET recorded_at = now()")
                .execute(Tuple.of(rows.stream().map(Entry::deviceId).toArray(String[]::new),
                        rows.stream().map(Entry::day).toArray(LocalDate[]::new),
                        rows.stream().map(Entry::metric).toArray(String[]::new)))
                .replaceWith(rows);
    }

    /** Remembers committed entries of the current and the previous day. */
    public void remember(List<Entry> committed) {
        if (committed.isEmpty()) {
            return;
        }
        if (recorded.size() > REMEMBERED) {
            recorded.clear();
        }
        LocalDate yesterday = yesterday();
        for (Entry entry : committed) {
            if (!entry.day().isBefore(yesterday)) {
                recorded.computeIfAbsent(entry.deviceDay(), key -> ConcurrentHashMap.newKeySet()).add(entry.metric());
            }
        }
    }

    private static LocalDate yesterday() {
        return LocalDate.now(ZoneOffset.UTC).minusDays(1);
    }
}
