package io.fleetline.registry.messaging;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.mqtt.MqttConfig;
import io.fleetline.commons.mqtt.MqttLink;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * Device accounts at the broker, kept through Mosquitto's dynamic-security control topic: each
 * device gets a client (user name and client id = the device id) holding its own role
 * {@code device:<id>}, which may publish only to {@code devices/<id>/telemetry|status|commands/ack|config/reported}
 * and subscribe only to {@code devices/<id>/commands|config}. Active when the registry itself
 * authenticates to the broker ({@code fleetline.mqtt.username} set): an anonymous broker has no
 * accounts to keep.
 */
@ApplicationScoped
public class DeviceCredentials {

    private static final Logger LOG = Logger.getLogger(DeviceCredentials.class);
    private static final String CONTROL = "$CONTROL/dynamic-security/v1";
    private static final String RESPONSE = CONTROL + "/response";
    /** The broker answers in milliseconds; this bounds a request to a broker that lost it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> PUBLISH = List.of("telemetry", "status", "commands/ack", "config/reported");
    private static final List<String> SUBSCRIBE = List.of("commands", "config");

    private final MqttLink mqtt;
    private final MqttConfig mqttConfig;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, UniEmitter<? super JsonNode>> pending = new ConcurrentHashMap<>();

    DeviceCredentials(MqttLink mqtt, MqttConfig mqttConfig, ObjectMapper json) {
        this.mqtt = mqtt;
        this.mqttConfig = mqttConfig;
        this.json = json;
    }

    /** Credentials a device connects with; the password is returned once and stored nowhere. */
    public record MqttCredentials(String username, String password, String clientId) {
    }

    // Subscribed at start, so that no answer can arrive before its listener.
    void start(@Observes StartupEvent event) {
        if (enabled()) {
            mqtt.subscribe(RESPONSE, this::onResponse);
        }
    }

    /** Whether the broker authenticates clients, so that devices need accounts. */
    public boolean enabled() {
        return mqttConfig.username().isPresent();
    }

    /**
     * Creates the device's account, or gives an existing one a new password (rotation): the old
     * password stops working and a connected device is disconnected, to come back with the new one.
     */
    public Uni<MqttCredentials> issue(String deviceId) {
        String password = newPassword();
        String role = role(deviceId);
        ObjectNode createRole = command("createRole").put("rolename", role);
        ArrayNode acls = createRole.putArray("acls");
        PUBLISH.forEach(t -> acls.addObject().put("acltype", "publishClientSend")
                .put("topic", "devices/" + deviceId + "/" + t).put("allow", true));
        SUBSCRIBE.forEach(t -> acls.addObject().put("acltype", "subscribeLiteral")
                .put("topic", "devices/" + deviceId + "/" + t).put("allow", true));
        ObjectNode createClient = command("createClient").put("username", deviceId).put("password", password)
                .put("clientid", deviceId);
        createClient.putArray("roles").addObject().put("rolename", role);

        return send(createRole, createClient).chain(responses -> {
            expect(responses.get(0), "Role already exists");
            String clientError = responses.get(1).path("error").asText(null);
            if (clientError == null) {
                return Uni.createFrom().voidItem();
            }
            if (!clientError.equals("Client already exists")) {
                return Uni.createFrom().failure(refused(responses.get(1)));
            }
            // Rotation: disabling kicks the connected session that used the old password.
            return send(command("setClientPassword").put("username", deviceId).put("password", password),
                    command("disableClient").put("username", deviceId),
                    command("enableClient").put("username", deviceId))
                    .invoke(rotated -> rotated.forEach(r -> expect(r)))
                    .replaceWithVoid();
        }).replaceWith(new MqttCredentials(deviceId, password, deviceId));
    }

    /** Deletes the device's account and role (connected sessions are closed); absent ones are fine. */
    public Uni<Void> remove(String deviceId) {
        return send(command("deleteClient").put("username", deviceId),
                command("deleteRole").put("rolename", role(deviceId)))
                .invoke(responses -> {
                    expect(responses.get(0), "Client not found");
                    expect(responses.get(1), "Role not found");
                })
                .replaceWithVoid();
    }

    private static String role(String deviceId) {
        return "device:" + deviceId;
    }

    private ObjectNode command(String name) {
        return json.createObjectNode().put("command", name);
    }

    /** Sends the commands in one request and yields their responses, in order. */
    private Uni<JsonNode> send(ObjectNode... commands) {
        String correlation = UUID.randomUUID().toString();
        ObjectNode request = json.createObjectNode();
        ArrayNode list = request.putArray("commands");
        for (int i = 0; i < commands.length; i++) {
            list.add(commands[i].put("correlationData", correlation + ":" + i));
        }
        Buffer payload = Buffer.buffer(request.toString());
        return Uni.createFrom().<JsonNode> emitter(emitter -> {
            pending.put(correlation, emitter);
            mqtt.publish(CONTROL, payload, false).subscribe().with(sent -> { }, failure -> {
                pending.remove(correlation);
                emitter.fail(failure);
            });
        }).ifNoItem().after(TIMEOUT).failWith(() -> {
            pending.remove(correlation);
            return new IllegalStateException("The MQTT broker did not answer the dynamic-security request in "
                    + TIMEOUT.toSeconds() + " s");
        }).map(responses -> {
            if (responses.size() != commands.length) {
                throw new IllegalStateException("The MQTT broker answered " + responses.size() + " of "
                        + commands.length + " dynamic-security commands");
            }
            return responses;
        });
    }

    // Every registry replica receives every answer; each takes only its own.
    private Uni<Void> onResponse(MqttPublishMessage message) {
        try {
            JsonNode responses = json.readTree(message.payload().getBytes()).path("responses");
            String correlationData = responses.path(0).path("correlationData").asText("");
            int colon = correlationData.indexOf(':');
            UniEmitter<? super JsonNode> emitter = colon < 0 ? null : pending.remove(correlationData.substring(0, colon));
            if (emitter != null) {
                emitter.complete(responses);
            }
        } catch (Exception e) {
            LOG.warnf("Unreadable dynamic-security response ignored: %s", e.getMessage());
        }
        return Uni.createFrom().voidItem();
    }

    /** Fails unless the response succeeded or failed with one of the harmless errors. */
    private static void expect(JsonNode response, String... harmless) {
        String error = response.path("error").asText(null);
        if (error != null && !Set.of(harmless).contains(error)) {
            throw refused(response);
        }
    }

    private static IllegalStateException refused(JsonNode response) {
        // Names the command and the broker's reason; passwords are never part of a response.
        return new IllegalStateException("The MQTT broker refused " + response.path("command").asText()
                + ": " + response.path("error").asText());
    }

    private String newPassword() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
