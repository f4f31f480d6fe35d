package io.fleetline.system.load;

/**
 * The load generator: {@code ./stack bench <scenario> [--option value ...]}.
 *
 * <pre>
 * ingest        N devices x rate over MQTT QoS 1; PUBACKs, stored rows, loss, latency  (--devices 1000 --rate 10 --duration 60s --warmup 10s --bridge http://127.0.0.1:8084)
 * presence      devices publish, fall silent, publish again: online/offline events each  (--devices 200)
 * http-ingest   single readings or --batch n over HTTP                                 (--devices 100 --concurrency 64 --duration 30s)
 * registry      POST /devices, then GET /devices/{id}, authenticated                      (--concurrency 64 --duration 20s)
 * query         latest and 24-hour range of devices holding readings 30 s apart        (--devices 20 --readings 2880 --concurrency 32)
 * export        CSV export of one device's readings, rows/s and heap while streaming    (--readings 1000000 --repeat 1)
 * webhooks      platform events fanned out as signed deliveries to local receivers     (--rate 500 --devices 100 --endpoints 4 --stuck 1)
 * mqtt-ceiling  the same publishers to a bare subscriber: the broker alone             (--devices 1000 --rate 10 --duration 60s)
 * copy-ceiling  PostgreSQL COPY of the same rows: the database alone                   (--devices 1000 --rate 30 --duration 60s)
 * naive         one connection, one INSERT per reading                                 (--duration 20s)
 * </pre>
 * Common: {@code --api http://127.0.0.1:8080} (or --registry/--telemetry/--webhooks per service),
 * {@code --mqtt-host/--mqtt-port}, {@code --admin-key-file}; the database from FLEETLINE_DB_*.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        Options options = new Options(args, 1);
        try {
            run(args[0], options);
        } catch (Exception e) {
            // The clients' threads would keep a failed run alive.
            System.err.println("bench " + args[0] + " failed: " + e + (e.getCause() != null ? ", caused by " + e.getCause() : ""));
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String scenario, Options options) throws Exception {
        switch (scenario) {
            case "ingest" -> new MqttLoad(options).ingest();
            case "mqtt-ceiling" -> new MqttLoad(options).ceiling();
            case "presence" -> new MqttLoad(options).presence();
            case "http-ingest" -> new HttpLoad(options).ingest();
            case "query" -> new HttpLoad(options).query();
            case "registry" -> new HttpLoad(options).registry();
            case "export" -> new HttpLoad(options).export();
            case "webhooks" -> new WebhookLoad(options).run();
            case "copy-ceiling" -> new DbBaselines(options).copy();
            case "naive" -> new DbBaselines(options).naive();
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: ./stack bench ingest|presence|http-ingest|registry|query|export|webhooks|mqtt-ceiling|copy-ceiling|naive"
                + " [--option value ...] (see io.fleetline.system.load.Bench)");
    }
}
