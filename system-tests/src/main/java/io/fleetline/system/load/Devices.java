package io.fleetline.system.load;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The simulated devices of one run and the readings they send (four metrics each, as the targets say). */
final class Devices {

    private Devices() {
    }

    /** {@code bench-<run>-0001}, ... */
    static List<String> ids(String run, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            ids.add(String.format("bench-%s-%04d", run, i));
        }
        return ids;
    }

    /**
     * The standing fleet {@code bench-fleet-0001}, ...: registered once and reused by every ingest
     * run (registering gives each device a broker account, which costs the broker more the more
     * accounts it holds), each run telling its readings apart by their {@code msg_id} prefix.
     */
    static List<String> fleet(int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            ids.add(String.format("bench-fleet-%04d", i));
        }
        return ids;
    }

    /** A reading with its idempotency key and the device time to the microsecond. */
    static String reading(long msgId, Instant ts) {
        return reading(Long.toString(msgId), ts);
    }

    /** A reading with its idempotency key and the device time to the microsecond. */
    static String reading(String msgId, Instant ts) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "{\"msg_id\":\"" + msgId + "\",\"ts\":\"" + ts + "\",\"temperature\":"
                + Math.round(random.nextDouble(15, 35) * 100) / 100.0 + ",\"humidity\":"
                + Math.round(random.nextDouble(30, 70) * 10) / 10.0 + ",\"pressure\":"
                + Math.round(random.nextDouble(990, 1030) * 10) / 10.0 + ",\"battery\":"
                + Math.round(random.nextDouble(3.3, 4.2) * 100) / 100.0 + "}";
    }

    /** A short random id for this run's device names. */
    static String run() {
        return Long.toString(System.currentTimeMillis() / 1000 % 1_000_000, 36);
    }
}
