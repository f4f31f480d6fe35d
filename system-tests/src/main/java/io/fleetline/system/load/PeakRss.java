package io.fleetline.system.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Each running service's peak resident memory (VmHWM) from the pids {@code ./stack} records. */
final class PeakRss {

    private PeakRss() {
    }

    /** {@code service -> "412 MB"} for every pid file in {@code pidDir} whose process is alive. */
    static Map<String, String> of(Path pidDir) {
        Map<String, String> peaks = new TreeMap<>();
        if (!Files.isDirectory(pidDir)) {
            return peaks;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(pidDir, "*.pid")) {
            for (Path file : files) {
                String service = file.getFileName().toString().replace(".pid", "");
                String pid = Files.readString(file).trim();
                Path status = Path.of("/proc", pid, "status");
                if (!Files.exists(status)) {
                    continue;
                }
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        peaks.put(service, (kb / 1024) + " MB");
                    }
                }
            }
        } catch (IOException e) {
            peaks.put("error", e.getMessage());
        }
        return peaks;
    }
}
