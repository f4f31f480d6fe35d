package io.fleetline.commons.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The platform's authenticated Mosquitto (deploy/mosquitto: the device-account plugin, dynamic
 * security for services) started for one test class on a free port with fresh state, through
 * {@code deploy/mosquitto/run-local.sh}. Its device accounts are read from the tests' database
 * ({@code fleetline_test}, as the test profile names it); {@link TestDevices#mqttPassword} gives a
 * device one. The service under test connects with its own service account: name it with the init
 * arg {@code account} (the module name, as in {@code .stack/mosquitto/env/<module>.env}).
 */
public class PlatformBroker implements QuarkusTestResourceLifecycleManager {

    private static final Path STATE = Path.of("target/platform-broker").toAbsolutePath();
    private static final Path SCRIPT = Path.of("../deploy/mosquitto/run-local.sh").toAbsolutePath().normalize();

    private static int port;
    private String account;

    @Override
    public void init(Map<String, String> initArgs) {
        account = initArgs.getOrDefault("account", "system-tests");
    }

    @Override
    public Map<String, String> start() {
        try {
            deleteState();
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            run(SCRIPT.toString(), "start");
            Properties service = account(account);
            Map<String, String> config = new HashMap<>();
            config.put("fleetline.mqtt.host", "127.0.0.1");
            config.put("fleetline.mqtt.port", String.valueOf(port));
            config.put("fleetline.mqtt.username", service.getProperty("FLEETLINE_MQTT_USERNAME"));
            config.put("fleetline.mqtt.password", service.getProperty("FLEETLINE_MQTT_PASSWORD"));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        run(SCRIPT.toString(), "stop");
    }

    /** The broker's port. */
    public static int port() {
        return port;
    }

    /** A client connected (clean start, MQTT 5) to this broker as {@code username}. */
    public static Mqtt5BlockingClient connect(String clientId, String username, String password) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connectWith().cleanStart(true).send();
        return client;
    }

    /** Publishes at QoS 1 and waits for the broker's PUBACK (a refusal throws). */
    public static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /** The settings run-local.sh wrote for one account: a module name or {@code system-tests}. */
    public static Properties account(String name) {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(STATE.resolve("mosquitto/env/" + name + ".env"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static void run(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FLEETLINE_STACK_DIR", STATE.toString());
        builder.environment().put("FLEETLINE_MQTT_LOCAL_PORT", String.valueOf(port));
        builder.environment().put("FLEETLINE_DB_NAME", "fleetline_test");
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes());
            int exit = process.waitFor();
            // mosquitto_ctrl exits 0 when the broker refuses a command; its output says so.
            if (exit != 0 || output.contains("Error")) {
                throw new IllegalStateException(command[0] + " " + command[command.length - 1] + " failed (" + exit + "): " + output);
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
