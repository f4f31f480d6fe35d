package io.fleetline.registry.domain;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;

/** What a command request and a device acknowledgement must look like. */
public final class CommandRules {

    /** Command names: short, lowercase, safe to log and to switch on in firmware. */
    public static final Pattern COMMAND = Pattern.compile("^[a-z0-9_.-]{1,64}$");
    private static final Set<String> FIELDS = Set.of("command", "params", "ttl_s");
    private static final int MAX_TTL_S = 604800;

    private CommandRules() {
    }

    /** The command in {@code body}, with {@code defaultTtlS} when it names no TTL, or a 400 naming the field. */
    public static NewCommand request(JsonNode body, int defaultTtlS) {
        ObjectNode fields = DeviceRules.object(body);
        Iterator<String> names = fields.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw ApiException.invalidField(field, "is not a known field.");
            }
        }
        JsonNode command = fields.get("command");
        if (command == null || command.isNull()) {
            throw ApiException.invalidField("command", "is required.");
        }
        if (!command.isTextual() || !COMMAND.matcher(command.textValue()).matches()) {
            throw ApiException.invalidField("command", "must match " + COMMAND.pattern());
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (fields.hasNonNull("params")) {
            if (!fields.get("params").isObject()) {
                throw ApiException.invalidField("params", "must be a JSON object.");
            }
            params = (ObjectNode) fields.get("params");
        }
        int ttl = defaultTtlS;
        if (fields.hasNonNull("ttl_s")) {
            JsonNode value = fields.get("ttl_s");
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1 || value.asInt() > MAX_TTL_S) {
                throw ApiException.invalidField("ttl_s", "must be an integer from 1 to " + MAX_TTL_S + ".");
            }
            ttl = value.asInt();
        }
        return new NewCommand(command.textValue(), params, ttl);
    }

    /**
     * The acknowledgement in a {@code devices/{id}/commands/ack} payload, or null when it is not
     * one: {@code received} moves a command to delivered, {@code succeeded}/{@code failed} finish it.
     */
    public static Ack ack(JsonNode payload) {
        if (payload == null || !payload.isObject() || !payload.path("command_id").isTextual()) {
            return null;
        }
        CommandStatus target = switch (payload.path("status").asText("")) {
            case "received" -> CommandStatus.DELIVERED;
            case "succeeded" -> CommandStatus.SUCCEEDED;
            case "failed" -> CommandStatus.FAILED;
            default -> null;
        };
        if (target == null) {
            return null;
        }
        JsonNode result = payload.get("result");
        return new Ack(payload.get("command_id").textValue(), target,
                result == null || result.isNull() ? null : result);
    }

    /** A device's acknowledgement: the state it moves the command to and its result, if any. */
    public record Ack(String commandId, CommandStatus target, JsonNode result) {
    }
}
