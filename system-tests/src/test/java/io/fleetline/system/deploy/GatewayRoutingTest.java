package io.fleetline.system.deploy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.restassured.response.Response;

/**
 * The API gateway (deploy/gateway/nginx.conf, run by deploy/gateway/run-local.sh with Debian's
 * nginx) in front of three stand-in services that answer with their name, the path they received
 * and the forwarding headers: each route reaches the right service, the unversioned alias is
 * rewritten, and the gateway's own errors are envelopes.
 */
class GatewayRoutingTest {

    private static final Path SCRIPT = Path.of("../deploy/gateway/run-local.sh").toAbsolutePath().normalize();
    private static final Path STATE = Path.of("target/gateway-test").toAbsolutePath();

    private static HttpServer registry;
    private static HttpServer telemetry;
    private static HttpServer webhooks;
    private static int gatewayPort;
    private static int downPort;

    @BeforeAll
    static void start() throws IOException {
        registry = echo("registry");
        telemetry = echo("telemetry");
        webhooks = echo("webhooks");
        gatewayPort = freePort();
        gateway("start", registry.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        gateway("stop", registry.getAddress().getPort());
        registry.stop(0);
        telemetry.stop(0);
        webhooks.stop(0);
    }

    @Test
    void devicesDataIngestAndRulesGoToTelemetry() {
        routes("/api/v1/devices/esp32-001/data?start=-24h", "telemetry", "/api/v1/devices/esp32-001/data?start=-24h");
        routes("/api/v1/devices/esp32-001/data/aggregate?interval=1h", "telemetry", "/api/v1/devices/esp32-001/data/aggregate?interval=1h");
        routes("/api/v1/devices/esp32-001/data/export", "telemetry", "/api/v1/devices/esp32-001/data/export");
        routes("/api/v1/ingest", "telemetry", "/api/v1/ingest");
        routes("/api/v1/devices/ingest", "telemetry", "/api/v1/devices/ingest");
        routes("/api/v1/rules", "telemetry", "/api/v1/rules");
        routes("/api/v1/rules/rule_1", "telemetry", "/api/v1/rules/rule_1");
    }

    @Test
    void webhooksAndTheInboundReceiverGoToTheWebhookGateway() {
        routes("/api/v1/webhooks", "webhooks", "/api/v1/webhooks");
        routes("/api/v1/webhooks/wh_1/deliveries?status=dead", "webhooks", "/api/v1/webhooks/wh_1/deliveries?status=dead");
        routes("/api/v1/webhooks/inbound", "webhooks", "/api/v1/webhooks/inbound");
        routes("/webhooks/iot", "webhooks", "/api/v1/webhooks/inbound");
    }

    @Test
    void everythingElseUnderTheApiGoesToTheRegistry() {
        routes("/api/v1/health", "registry", "/api/v1/health");
        routes("/api/v1/devices?limit=10", "registry", "/api/v1/devices?limit=10");
        routes("/api/v1/devices/esp32-001", "registry", "/api/v1/devices/esp32-001");
        routes("/api/v1/devices/esp32-001/commands", "registry", "/api/v1/devices/esp32-001/commands");
        routes("/api/v1/devices/esp32-001/database", "registry", "/api/v1/devices/esp32-001/database");
        routes("/api/v1/keys", "registry", "/api/v1/keys");
    }

    @Test
    void theUnversionedAliasIsRewrittenToV1WithItsQuery() {
        routes("/api/devices?type=sensor", "registry", "/api/v1/devices?type=sensor");
        routes("/api/devices/esp32-001/data?start=-7d&limit=5", "telemetry", "/api/v1/devices/esp32-001/data?start=-7d&limit=5");
        routes("/api/devices/ingest", "telemetry", "/api/v1/devices/ingest");
        routes("/api/ingest", "telemetry", "/api/v1/ingest");
        routes("/api/webhooks", "webhooks", "/api/v1/webhooks");
        routes("/api/health", "registry", "/api/v1/health");
    }

    @Test
    void theClientAddressIsForwardedForTheServicesTrustedProxySetting() {
        Response response = given().header("X-Forwarded-For", "203.0.113.7")
                .get(url("/api/v1/devices")).then().statusCode(200).extract().response();
        assertEquals("203.0.113.7, 127.0.0.1", response.jsonPath().getString("x_forwarded_for"));
        assertEquals("127.0.0.1", response.jsonPath().getString("x_real_ip"));
        assertEquals(32, response.header("X-Request-Id").length());
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedWithA413Envelope() throws IOException, InterruptedException {
        // java.net.http rather than rest-assured: it reads the early 413 instead of failing on the
        // connection nginx closes after it.
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> refused = client.send(post("/api/v1/ingest", 1024 * 1024 + 1), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, refused.statusCode());
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("{\"status\":\"error\",\"error\":{\"code\":413,\"message\":\"Request body larger than the 1 MiB limit.\"}}",
                refused.body());
        HttpResponse<String> accepted = client.send(post("/api/v1/ingest", 1024 * 1024 - 1024), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, accepted.statusCode());
        assertTrue(accepted.body().contains("\"service\":\"telemetry\""), accepted.body());
    }

    private static HttpRequest post(String path, int size) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build();
    }

    @Test
    void anUnreachableServiceIsA502EnvelopeAndAnUnknownPathA404Envelope() throws IOException {
        HttpServer stopped = echo("gone");
        stopped.stop(0);
        downPort = stopped.getAddress().getPort();
        int liveGateway = gatewayPort;
        try {
            gatewayPort = freePort();
            gateway("start", downPort, STATE.resolveSibling("gateway-test-down"));
            given().get(url("/api/v1/devices")).then().statusCode(502).contentType(startsWith("application/json"))
                    .body("status", equalTo("error")).body("error.code", equalTo(502));
        } finally {
            gateway("stop", downPort, STATE.resolveSibling("gateway-test-down"));
            gatewayPort = liveGateway;
        }
        given().get(url("/index.html")).then().statusCode(404).contentType(startsWith("application/json"))
                .body("status", equalTo("error")).body("error.code", equalTo(404));
        given().get(url("/healthz")).then().statusCode(200).body("service", equalTo("gateway"));
    }

    private static void routes(String path, String service, String received) {
        given().get(url(path)).then().statusCode(200)
                .body("service", equalTo(service)).body("path", equalTo(received));
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + gatewayPort + path;
    }

    /** A stand-in service answering 200 with its name, the request's path and forwarding headers. */
    private static HttpServer echo(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String json = "{\"service\":\"" + name + "\",\"path\":\"" + exchange.getRequestURI() + "\","
                    + "\"x_forwarded_for\":\"" + exchange.getRequestHeaders().getFirst("X-Forwarded-For") + "\","
                    + "\"x_real_ip\":\"" + exchange.getRequestHeaders().getFirst("X-Real-IP") + "\"}";
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void gateway(String command, int registryPort) {
        gateway(command, registryPort, STATE);
    }

    private static void gateway(String command, int registryPort, Path state) {
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("FLEETLINE_STACK_DIR", state.toString());
        env.put("FLEETLINE_GATEWAY_PORT", String.valueOf(gatewayPort));
        env.put("FLEETLINE_REGISTRY_PORT", String.valueOf(registryPort));
        env.put("FLEETLINE_TELEMETRY_PORT", String.valueOf(telemetry.getAddress().getPort()));
        env.put("FLEETLINE_WEBHOOKS_PORT", String.valueOf(webhooks.getAddress().getPort()));
        try {
            Files.createDirectories(state);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(SCRIPT + " " + command + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
