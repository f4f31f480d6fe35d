package io.fleetline.webhooks.domain;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A platform event as a Discord webhook message: one embed titled from the event, coloured by
 * severity, with device, value, threshold and time fields (then metadata), truncated to
 * Discord's limits so a long message never earns a 400. Mentions are disabled so a device's
 * text cannot ping a channel.
 */
public final class DiscordMessage {

    /** Discord's limits on one embed. */
    public static final int TITLE_MAX = 256;
    public static final int DESCRIPTION_MAX = 4096;
    public static final int FIELDS_MAX = 25;
    public static final int FIELD_NAME_MAX = 256;
    public static final int FIELD_VALUE_MAX = 1024;
    public static final int FOOTER_MAX = 2048;
    public static final int TOTAL_MAX = 6000;

    private static final Map<String, Integer> COLOURS = Map.of("critical", 0xE74C3C, "warning", 0xF1C40F,
            "info", 0x3498DB);

    private DiscordMessage() {
    }

    /** The Discord message body for {@code event} (a parsed platform event). */
    public static ObjectNode render(ObjectMapper json, JsonNode event) {
        String type = text(event, "event", "event");
        String device = text(event, "device_name", null);
        String deviceId = text(event, "device_id", null);
        String severity = text(event, "severity", "info");

        String title = truncate(humanize(type) + (device != null ? " · " + device : deviceId != null ? " · " + deviceId : ""),
                TITLE_MAX);
        String description = text(event, "message", text(event, "condition", ""));
        String footer = truncate("Fleetline · " + text(event, "event_id", ""), FOOTER_MAX);

        ObjectNode embed = json.createObjectNode();
        embed.put("title", title);
        embed.put("color", COLOURS.getOrDefault(severity, COLOURS.get("info")));
        ArrayNode fields = json.createArrayNode();
        addField(fields, "Device", deviceId == null ? null : device == null ? deviceId : device + " (" + deviceId + ")");
        addField(fields, "Value", text(event, "current_value", null));
        addField(fields, "Threshold", text(event, "threshold", null));
        addField(fields, "Time", text(event, "timestamp", null));
        int used = title.length() + footer.length();
        for (JsonNode field : fields) {
            used += field.get("name").asText().length() + field.get("value").asText().length();
        }
        // The 6,000-character budget goes to the title and core fields, then the description,
        // then as much metadata as still fits.
        String shown = truncate(description, Math.max(0, Math.min(DESCRIPTION_MAX, TOTAL_MAX - used)));
        embed.put("description", shown);
        used += shown.length();
        JsonNode metadata = event.get("metadata");
        if (metadata != null && metadata.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext() && fields.size() < FIELDS_MAX;) {
                Map.Entry<String, JsonNode> entry = it.next();
                String name = truncate(entry.getKey().isEmpty() ? "-" : entry.getKey(), FIELD_NAME_MAX);
                String value = entry.getValue().isValueNode() ? entry.getValue().asText() : entry.getValue().toString();
                int room = Math.min(FIELD_VALUE_MAX, TOTAL_MAX - used - name.length());
                if (room < 2 || value.isEmpty()) {
                    continue;
                }
                addField(fields, name, truncate(value, room));
                used += name.length() + Math.min(value.length(), room);
            }
        }
        embed.set("fields", fields);
        embed.putObject("footer").put("text", footer);
        JsonNode timestamp = event.get("timestamp");
        if (timestamp != null && timestamp.isTextual()) {
            embed.put("timestamp", timestamp.asText());
        }

        ObjectNode message = json.createObjectNode();
        message.put("username", "Fleetline");
        message.putArray("embeds").add(embed);
        message.putObject("allowed_mentions").putArray("parse");
        return message;
    }

    private static void addField(ArrayNode fields, String name, String value) {
        if (value == null || value.isEmpty() || fields.size() >= FIELDS_MAX) {
            return;
        }
        fields.addObject()
                .put("name", truncate(name.isEmpty() ? "-" : name, FIELD_NAME_MAX))
                .put("value", truncate(value, FIELD_VALUE_MAX))
                .put("inline", true);
    }

    private static String text(JsonNode event, String field, String fallback) {
        JsonNode node = event.get(field);
        return node == null || node.isNull() ? fallback : node.isValueNode() ? node.asText() : node.toString();
    }

    private static String humanize(String type) {
        String words = type.replace('_', ' ');
        return words.isEmpty() ? "Event" : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** {@code text} cut to {@code max} characters, ending in an ellipsis when cut. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        if (max == 0) {
            return "";
        }
        int end = max - 1;
        // Never split a surrogate pair: Discord counts characters, a lone half is invalid text.
        if (Character.isHighSurrogate(text.charAt(end - 1 < 0 ? 0 : end - 1)) && end > 0) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
