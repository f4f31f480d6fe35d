package io.fleetline.system.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What a scenario prints: a header with the machine's state, its figures, and each service's peak RSS. */
final class Report {

    private final Options options;

    Report(String scenario, Options options) {
        this.options = options;
        System.out.printf("== bench %s at %s, load average %s, %d cores%n", scenario,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), loadAverage(), Runtime.getRuntime().availableProcessors());
    }

    void line(String format, Object... args) {
        System.out.println("   " + String.format(format, args));
        System.out.flush();
    }

    /** Peak resident memory of each service {@code ./stack} started (VmHWM: the peak since the service started). */
    void peakRss() {
        PeakRss.of(Path.of(options.text("pids", ".stack/pids")))
                .forEach((service, peak) -> line("peak RSS %-24s %s", service, peak));
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
