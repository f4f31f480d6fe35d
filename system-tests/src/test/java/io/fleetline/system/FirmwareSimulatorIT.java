package io.fleetline.system;

import static io.fleetline.system.Stack.REGISTRY;
import static io.fleetline.system.Stack.TELEMETRY;
import static io.fleetline.system.Stack.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/**
 * The firmware simulator (the firmware's own core logic) against the stack, through relays that
 * play the network: the broker goes away (readings fall back to HTTP), then the API too (readings
 * are buffered), then both come back; every reading is stored exactly once, a command succeeds and
 * a config change is reported back.
 */
class FirmwareSimulatorIT {

    private static final int DEVICES = 5;
    private static final int COUNT = 45;

    @Test
    void simulatedDevicesLoseNothingThroughBrokerAndApiOutages() throws Exception {
        Path sim = Path.of(Stack.prop("fleetline.sim", "../firmware-esp32/build-host/fleetline-sim"));
        assertTrue(Files.isExecutable(sim), sim + " is missing: build it with firmware-esp32/host/run-tests.sh");
        String prefix = "sim" + Stack.run() + "-";
        List<String> devices = new ArrayList<>();
        for (int i = 1; i <= DEVICES; i++) {
            devices.add(Stack.register(prefix + String.format("%03d", i), "sensor", "{\"sample_interval_s\":1}"));
        }
        String key = as(REGISTRY).body("{\"name\":\"simulator\",\"permissions\":[\"write\"]}").post("/api/v1/keys")
                .then().statusCode(201).extract().path("data.key");
        URI api = URI.create(TELEMETRY);
        URI broker = URI.create(Stack.mqttUrl());
        File log = File.createTempFile("fleetline-sim", ".log");

        try (TcpRelay brokerLink = TcpRelay.to(broker.getHost(), broker.getPort());
                TcpRelay apiLink = TcpRelay.to(api.getHost(), api.getPort() < 0 ? 80 : api.getPort())) {
            List<String> command = new ArrayList<>(List.of(sim.toString(), "--devices", String.valueOf(DEVICES),
                    "--prefix", prefix, "--interval", "1s", "--count", String.valueOf(COUNT),
                    "--broker", "mqtt://127.0.0.1:" + brokerLink.port(),
                    "--api", "http://127.0.0.1:" + apiLink.port() + api.getPath(),
                    "--buffer", "512", "--drain-timeout", "60s"));
            String user = Stack.prop("fleetline.mqtt.username", null);
            if (user != null) {
                command.addAll(List.of("--mqtt-username", user));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
            builder.environment().put("FLEETLINE_API_KEY", key);
            builder.environment().put("FLEETLINE_MQTT_PASSWORD", Stack.prop("fleetline.mqtt.password", ""));
            Process process = builder.start();
            try {
                // healthy: readings arrive over MQTT
                await().atMost(Duration.ofSeconds(60)).until(() -> total(devices) >= DEVICES * 5);

                // the broker goes away: readings keep arriving, over the HTTP fallback
                brokerLink.down();
                int atBrokerLoss = total(devices);
                await().atMost(Duration.ofSeconds(40)).until(() -> total(devices) >= atBrokerLoss + DEVICES * 4);

                // the API goes away too: nothing gets through, the devices buffer
                apiLink.down();
                int[] last = {total(devices)};
                await().pollInterval(Duration.ofSeconds(1)).during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                        .until(() -> {
                            int now = total(devices);
                            boolean still = now == last[0];
                            last[0] = now;
                            return still;
                        });

                // both come back: the buffers drain
                apiLink.up();
                brokerLink.up();

                // a command reaches succeeded, a config change is reported in the shadow
                String device = devices.get(0);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(REGISTRY).get("/api/v1/devices/" + device)
                        .then().body("data.connectivity", equalTo("online")));
                String commandId = as(REGISTRY).body("{\"command\":\"reboot\",\"params\":{\"delay_s\":1}}")
                        .post("/api/v1/devices/" + device + "/commands").then().statusCode(201)
                        .extract().path("data.command_id");
                int version = as(REGISTRY).body("{\"sample_interval_s\":1,\"led\":\"green\"}")
                        .put("/api/v1/devices/" + device + "/config").then().statusCode(200)
                        .extract().path("version");
                await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> as(REGISTRY)
                        .get("/api/v1/devices/" + device + "/commands/" + commandId)
                        .then().statusCode(200).body("data.status", equalTo("succeeded")));
                await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> as(REGISTRY)
                        .get("/api/v1/devices/" + device + "/shadow")
                        .then().statusCode(200)
                        .body("data.reported_version", equalTo(version))
                        .body("data.reported.led", equalTo("green"))
                        .body("data.in_sync", equalTo(true)));

                assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the simulator finished");
                assertEquals(0, process.exitValue(), "every reading delivered: " + Files.readString(log.toPath()));
            } finally {
                process.destroyForcibly();
            }
        }

        // every reading stored exactly once: COUNT per device, each with its own timestamp
        for (String device : devices) {
            JsonPath stored = as(TELEMETRY).queryParam("limit", 1000).queryParam("start", "2000-01-01T00:00:00Z")
                    .get("/api/v1/devices/" + device + "/data").then().statusCode(200).extract().jsonPath();
            assertEquals(COUNT, stored.getInt("count"), device);
            Set<String> times = new HashSet<>(stored.getList("data.timestamp"));
            assertEquals(COUNT, times.size(), device + ": no reading stored twice");
        }
    }

    private static int total(List<String> devices) {
        int sum = 0;
        for (String device : devices) {
            sum += as(TELEMETRY).queryParam("limit", 1000).queryParam("start", "2000-01-01T00:00:00Z")
                    .get("/api/v1/devices/" + device + "/data").then().statusCode(200).extract().jsonPath().getInt("count");
        }
        return sum;
    }
}
