package io.fleetline.system;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.fleetline.commons.testing.MqttProbe;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.specification.RequestSpecification;

/**
 * Where the running stack is, as the black-box suite reaches it: one base URL per service
 * (default: the gateway, {@code fleetline.api}), the broker and the admin key.
 *
 * <p>System properties (set from the Maven properties {@code it.*}): {@code fleetline.api} (default {@code http://127.0.0.1:8080});
 * {@code fleetline.api.registry|telemetry|webhooks} to bypass the gateway for one service;
 * {@code fleetline.mqtt.host|port|username|password}; {@code fleetline.admin-key} or
 * {@code fleetline.admin-key-file} (default: the registry's bootstrap file under {@code .stack}).
 */
public final class Stack {

    /** The public entry point: the gateway, which also serves the unversioned {@code /api/**} paths. */
    public static final String GATEWAY = prop("fleetline.api", "http://127.0.0.1:8080");
    /** Devices, config, commands, keys. */
    public static final String REGISTRY = prop("fleetline.api.registry", GATEWAY);
    /** Readings, queries, rules. */
    public static final String TELEMETRY = prop("fleetline.api.telemetry", GATEWAY);
    /** Webhook endpoints and the inbound receiver. */
    public static final String WEBHOOKS = prop("fleetline.api.webhooks", GATEWAY);
    /** Every service's own base URL; each must refuse a bad key. */
    public static final List<String> SERVICES = List.of(REGISTRY, TELEMETRY, WEBHOOKS,
            prop("fleetline.api.ingest", "http://127.0.0.1:8084"));

    private static String adminKey;

    static {
        // Non-integer JSON numbers as doubles, so 24.3 compares equal to 24.3 rather than to a float.
        RestAssured.config = RestAssured.config().jsonConfig(JsonConfig.jsonConfig()
                .numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
    }

    private Stack() {
    }

    /** A system property, or {@code fallback} when it is unset, empty or an unresolved Maven {@code ${...}}. */
    public static String prop(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value;
    }

    /** A suffix that makes this run's device ids and topics its own (the broker keeps retained messages). */
    public static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The suite's own admin key, made with the bootstrap key: its own {@code rate_limit} lifts the
     * per-key request budget, which a whole suite polling for asynchronous results would exceed.
     */
    public static synchronized String adminKey() {
        if (adminKey == null) {
            adminKey = given().baseUri(REGISTRY).contentType(ContentType.JSON)
                    .header("Authorization", "Bearer " + bootstrapKey())
                    .body("{\"name\":\"system-tests\",\"permissions\":[\"admin\"],\"rate_limit\":1000000}")
                    .post("/api/v1/keys").then().statusCode(201).extract().path("data.key");
        }
        return adminKey;
    }

    /** The bootstrap admin key the registry wrote (or the one given as a property). */
    private static String bootstrapKey() {
        String key = prop("fleetline.admin-key", null);
        if (key != null) {
            return key;
        }
        String given = prop("fleetline.admin-key-file", null);
        // The services run from the repository root and write .stack/admin.key there.
        List<Path> candidates = given != null ? List.of(Path.of(given))
                : List.of(Path.of("../.stack/admin.key"), Path.of(".stack/admin.key"));
        for (Path file : candidates) {
            if (Files.isReadable(file)) {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("No admin key: set -Dit.admin-key-file (looked in " + candidates + ")");
    }

    /** A JSON request to {@code baseUrl} carrying the admin key. */
    public static RequestSpecification as(String baseUrl) {
        return as(baseUrl, adminKey());
    }

    /** A JSON request to {@code baseUrl} carrying {@code key}. */
    public static RequestSpecification as(String baseUrl, String key) {
        return given().baseUri(baseUrl).contentType(ContentType.JSON).accept(ContentType.JSON)
                .header("Authorization", "Bearer " + key);
    }

    /** A probe connected to the stack's broker, with the configured credentials if the broker needs them. */
    public static MqttProbe mqtt() {
        String user = prop("fleetline.mqtt.username", null);
        if (user == null) {
            return MqttProbe.connect();
        }
        return MqttProbe.connect("system-" + UUID.randomUUID(), user, prop("fleetline.mqtt.password", ""));
    }

    /** {@code host:port} of the broker as a URL for the firmware simulator. */
    public static String mqttUrl() {
        return "mqtt://" + prop("fleetline.mqtt.host", "127.0.0.1") + ":" + prop("fleetline.mqtt.port", "1883");
    }

    /** Registers a device with the admin key and returns its id. */
    public static String register(String deviceId, String type, String configJson) {
        as(REGISTRY).body("{\"device_id\":\"" + deviceId + "\",\"name\":\"" + deviceId + "\",\"type\":\"" + type
                + "\",\"location\":\"lab\",\"config\":" + configJson + "}")
                .post("/api/v1/devices").then().statusCode(201);
        return deviceId;
    }
}
