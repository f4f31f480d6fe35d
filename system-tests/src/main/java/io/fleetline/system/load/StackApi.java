package io.fleetline.system.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The stack's HTTP API as the load generator uses it to set up a run: a bench key and devices. */
final class StackApi {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String registry;
    final String telemetry;
    final String webhooks;
    private final String adminKey;
    private String benchKey;

    StackApi(Options options) throws IOException {
        String api = options.text("api", "http://127.0.0.1:8080");
        this.registry = options.text("registry", api);
        this.telemetry = options.text("telemetry", api);
        this.webhooks = options.text("webhooks", api);
        this.adminKey = readAdminKey(options.text("admin-key-file", ""));
    }

    private static String readAdminKey(String given) throws IOException {
        List<Path> candidates = given.isEmpty()
                ? List.of(Path.of(".stack/admin.key"))
                : List.of(Path.of(given));
        for (Path file : candidates) {
            if (Files.isReadable(file)) {
                return Files.readString(file).trim();
            }
        }
        throw new IOException("no admin key in " + candidates + " (start the stack with ./stack up, or pass --admin-key-file)");
    }

    /** A write key without a practical rate limit, so the benchmark measures the service rather than the limiter. */
    synchronized String benchKey() throws IOException, InterruptedException {
        if (benchKey == null) {
            JsonNode answer = send("POST", registry + "/api/v1/keys", adminKey,
                    "{\"name\":\"bench\",\"permissions\":[\"write\"],\"rate_limit\":1000000}", 201);
            benchKey = answer.path("data").path("key").asText();
        }
        return benchKey;
    }

    /** Registers {@code ids} (at most 32 requests in flight) with the given config. */
    void register(List<String> ids, String type, String configJson) throws Exception {
        register(ids, type, configJson, false);
    }

    /** Registers {@code ids}; with {@code existingOk}, ids registered before (409) are taken as they are. */
    void register(List<String> ids, String type, String configJson, boolean existingOk) throws Exception {
        String key = benchKey();
        Semaphore window = new Semaphore(32);
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (String id : ids) {
            window.acquire();
            HttpRequest request = request("POST", registry + "/api/v1/devices", key,
                    "{\"device_id\":\"" + id + "\",\"name\":\"" + id + "\",\"type\":\"" + type + "\",\"config\":"
                            + configJson + "}");
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> window.release())
                    .thenAccept(response -> {
                        if (response.statusCode() != 201 && !(existingOk && response.statusCode() == 409)) {
                            throw new IllegalStateException("registering " + id + ": " + response.statusCode() + " "
                                    + response.body());
                        }
                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }

    /** One request of a load run ({@link HttpLoad#run}). */
    record Call(String method, String url, Map<String, String> headers, byte[] body) {
    }

    /** A JSON request with the key, for a load run. */
    Call call(String method, String url, String key, String body) {
        return new Call(method, url, Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json",
                "Accept", "application/json"), body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest request(String method, String url, String key, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** The samples of {@code name} in the Prometheus text at {@code url}, one {@code labels=value} per sample, in ms. */
    String metric(String url, String name) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        StringBuilder samples = new StringBuilder();
        for (String line : response.body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + "_max")) {
                int space = line.lastIndexOf(' ');
                samples.append(samples.length() == 0 ? "" : ", ").append(line, name.length(), space)
                        .append(String.format("=%.3f ms", Double.parseDouble(line.substring(space + 1)) * 1000));
            }
        }
        return samples.toString();
    }

    /** One blocking request, checked for {@code expected}; the parsed answer. */
    JsonNode send(String method, String url, String key, String body, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(method, url, key, body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(method + " " + url + ": " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
