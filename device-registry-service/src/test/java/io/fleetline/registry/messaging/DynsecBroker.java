package io.fleetline.registry.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The platform's authenticated Mosquitto (deploy/mosquitto, dynamic security on) started for one
 * test class on a free port with fresh state; the registry connects with its service account.
 */
public class DynsecBroker implements QuarkusTestResourceLifecycleManager {

    static final Path STATE = Path.of("target/dynsec-broker").toAbsolutePath();
    private static final Path SCRIPT = Path.of("../deploy/mosquitto/run-local.sh").toAbsolutePath().normalize();

    static int port;

    @Override
    public Map<String, String> start() {
        try {
            deleteState();
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            run("start");
            Properties registry = account("device-registry-service");
            Map<String, String> config = new HashMap<>();
            config.put("fleetline.mqtt.host", "127.0.0.1");
            config.put("fleetline.mqtt.port", String.valueOf(port));
            config.put("fleetline.mqtt.username", registry.getProperty("FLEETLINE_MQTT_USERNAME"));
            config.put("fleetline.mqtt.password", registry.getProperty("FLEETLINE_MQTT_PASSWORD"));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        run("stop");
    }

    /** The settings run-local.sh wrote for one of its accounts (a module name or system-tests). */
    static Properties account(String name) {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(STATE.resolve("mosquitto/env/" + name + ".env"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static void run(String command) {
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), command).inheritIO();
        builder.environment().put("FLEETLINE_STACK_DIR", STATE.toString());
        builder.environment().put("FLEETLINE_MQTT_LOCAL_PORT", String.valueOf(port));
        try {
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(SCRIPT + " " + command + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteState() throws IOException {
        if (Files.exists(STATE)) {
            try (Stream<Path> walk = Files.walk(STATE)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
