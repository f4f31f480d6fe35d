package io.fleetline.system.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The stack's PostgreSQL, read directly to count what was stored (the ground truth for loss). */
final class Db {

    private Db() {
    }

    static Connection connect(Options options) throws SQLException {
        String url = "jdbc:postgresql://" + options.text("db-host", Options.env("FLEETLINE_DB_HOST", "127.0.0.1")) + ":"
                + options.text("db-port", Options.env("FLEETLINE_DB_PORT", "5432")) + "/"
                + options.text("db-name", Options.env("FLEETLINE_DB_NAME", "fleetline"));
        return DriverManager.getConnection(url, Options.env("FLEETLINE_DB_USER", "postgres"),
                Options.env("FLEETLINE_DB_PASSWORD", ""));
    }

    /** Which readings a run counts: device ids {@code LIKE devices}, msg ids {@code LIKE msgIds}. */
    record Scope(String devices, String msgIds) {
        /** The readings of the run's own devices ({@code bench-<run>-%}). */
        static Scope run(String run) {
            return new Scope("bench-" + run + "-%", "%");
        }
    }

    /** What the readings table holds for a run. */
    record Stored(long rows, long distinct, double p50Ms, double p95Ms, double p99Ms, double maxMs, double spanS) {
    }

    static Stored stored(Connection db, Scope scope) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("""
                SELECT count(*), count(DISTINCT (device_id, msg_id)),
                       percentile_cont(0.50) WITHIN GROUP (ORDER BY lag_ms),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY lag_ms),
                       percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms),
                       max(lag_ms),
                       extract(epoch FROM max(received_at) - min(received_at))
                FROM (SELECT device_id, msg_id, received_at,
                             extract(epoch FROM received_at - ts) * 1000 AS lag_ms
                      FROM telemetry.readings WHERE device_id LIKE ? AND msg_id LIKE ?) r""")) {
            query.setString(1, scope.devices());
            query.setString(2, scope.msgIds());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Stored(row.getLong(1), row.getLong(2), row.getDouble(3), row.getDouble(4), row.getDouble(5),
                        row.getDouble(6), row.getDouble(7));
            }
        }
    }

    /** Polls until the stored count stops changing for {@code quietMs} (or reaches {@code expected}). */
    static Stored settle(Connection db, Scope scope, long expected, long quietMs, long maxMs) throws Exception {
        long deadline = System.currentTimeMillis() + maxMs;
        long last = -1;
        long since = System.currentTimeMillis();
        while (true) {
            long rows;
            try (PreparedStatement count = db.prepareStatement(
                    "SELECT count(*) FROM telemetry.readings WHERE device_id LIKE ? AND msg_id LIKE ?")) {
                count.setString(1, scope.devices());
                count.setString(2, scope.msgIds());
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    rows = row.getLong(1);
                }
            }
            if (rows != last) {
                last = rows;
                since = System.currentTimeMillis();
            }
            long now = System.currentTimeMillis();
            if ((rows >= expected && now - since >= 1000) || now - since >= quietMs || now > deadline) {
                return stored(db, scope);
            }
            Thread.sleep(250);
        }
    }
}
