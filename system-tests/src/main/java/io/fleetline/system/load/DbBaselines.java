package io.fleetline.system.load;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database alone, on a table shaped and indexed like {@code telemetry.readings} (schema
 * {@code bench}, dropped afterwards): {@code copy-ceiling} (COPY of the same rows, the most
 * PostgreSQL takes) and {@code naive} (one connection, one INSERT per reading, autocommit: what a
 * simple Flask-and-SQLite style server does per request).
 */
final class DbBaselines {

    private static final String TABLE = """
            CREATE TABLE bench.readings (
                id bigserial, device_id text NOT NULL, ts timestamptz NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(), msg_id text, payload jsonb NOT NULL,
                PRIMARY KEY (device_id, ts, id))""";

    private final Options options;

    DbBaselines(Options options) {
        this.options = options;
    }

    /** {@code ./stack bench copy-ceiling}: {@code --devices x --rate x --duration} rows in COPY batches of 10,000. */
    void copy() throws Exception {
        int devices = options.integer("devices", 1000);
        long rows = (long) devices * options.integer("rate", 30) * options.duration("duration", "60s").toSeconds();
        Report report = new Report("copy-ceiling", options);
        try (Connection db = Db.connect(options)) {
            fresh(db);
            CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
            Instant base = Instant.now().truncatedTo(ChronoUnit.MICROS);
            long start = System.nanoTime();
            StringBuilder chunk = new StringBuilder(10_000 * 160);
            for (long i = 0; i < rows; i++) {
                String payload = Devices.reading(i, base).replaceFirst("^\\{\"msg_id\":\"\\d+\",\"ts\":\"[^\"]+\",", "{");
                chunk.append("bench-copy-").append(i % devices).append('\t').append(base.plusNanos(i * 1000)).append('\t')
                        .append(i / devices).append('\t').append(payload).append('\n');
                if ((i + 1) % 10_000 == 0 || i + 1 == rows) {
                    copy.copyIn("COPY bench.readings (device_id, ts, msg_id, payload) FROM STDIN",
                            new StringReader(chunk.toString()));
                    chunk.setLength(0);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report.line("COPY of %d rows (%d devices, 4 metrics each) in %.1f s: %.0f rows/s", rows, devices, seconds,
                    rows / seconds);
            drop(db);
        }
    }

    /** {@code ./stack bench naive}: one INSERT per reading on one connection, for {@code --duration}. */
    void naive() throws Exception {
        int devices = options.integer("devices", 1000);
        long end = System.nanoTime() + options.duration("duration", "20s").toNanos();
        Report report = new Report("naive", options);
        Latencies latency = new Latencies();
        try (Connection db = Db.connect(options)) {
            fresh(db);
            db.setAutoCommit(true);
            long start = System.nanoTime();
            long n = 0;
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO bench.readings (device_id, ts, msg_id, payload) VALUES (?, ?, ?, ?::jsonb)")) {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    insert.setString(1, "bench-naive-" + (n % devices));
                    insert.setTimestamp(2, Timestamp.from(Instant.now()));
                    insert.setString(3, Long.toString(n / devices));
                    insert.setString(4, Devices.reading(n, Instant.now()));
                    insert.executeUpdate();
                    latency.add((System.nanoTime() - sent) / 1000);
                    n++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report.line("one INSERT per reading, one connection, autocommit: %d rows in %.1f s: %.0f rows/s, %s", n,
                    seconds, n / seconds, latency.summary());
            drop(db);
        }
    }

    private static void fresh(Connection db) throws Exception {
        try (Statement statement = db.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS bench CASCADE");
            statement.execute("CREATE SCHEMA bench");
            statement.execute(TABLE);
        }
    }

    private static void drop(Connection db) throws Exception {
        try (Statement statement = db.createStatement()) {
            statement.execute("DROP SCHEMA bench CASCADE");
        }
    }
}
