package io.fleetline.webhooks.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class DiscordMessageTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aSevenThousandCharacterMessageStaysWithinDiscordsLimits() {
        ObjectNode event = json.createObjectNode()
                .put("event", "threshold_exceeded").put("event_id", "evt_1").put("device_id", "esp32-001")
                .put("device_name", "G".repeat(400)).put("severity", "warning").put("current_value", 38.7)
                .put("threshold", 35.0).put("timestamp", "2026-03-10T15:10:00Z").put("message", "m".repeat(7000));
        ObjectNode metadata = event.putObject("metadata");
        for (int i = 0; i < 40; i++) {
            metadata.put("key-" + i + "-" + "k".repeat(300), "v".repeat(1500));
        }

        JsonNode embed = DiscordMessage.render(json, event).get("embeds").get(0);

        String title = embed.get("title").asText();
        String description = embed.get("description").asText();
        assertTrue(title.length() <= 256 && title.startsWith("Threshold exceeded · GGG"), title);
        assertEquals(4096, description.length());
        assertTrue(description.endsWith("…"));
        assertTrue(embed.get("fields").size() <= 25);
        int total = title.length() + description.length() + embed.get("footer").get("text").asText().length();
        for (JsonNode field : embed.get("fields")) {
            assertTrue(field.get("name").asText().length() <= 256);
            assertTrue(field.get("value").asText().length() <= 1024);
            total += field.get("name").asText().length() + field.get("value").asText().length();
        }
        assertTrue(total <= 6000, "total " + total);
        assertEquals(0xF1C40F, embed.get("color").asInt());
    }

    @Test
    void metadataFillsAtMost25FieldsWithinTheTotal() {
        ObjectNode event = json.createObjectNode().put("event", "device_offline").put("device_id", "esp32-001")
                .put("message", "offline");
        ObjectNode metadata = event.putObject("metadata");
        for (int i = 0; i < 40; i++) {
            metadata.put("k" + i, "v".repeat(i < 3 ? 1500 : 10));
        }

        JsonNode embed = DiscordMessage.render(json, event).get("embeds").get(0);

        assertEquals(25, embed.get("fields").size());
        assertTrue(total(embed) <= 6000, "total " + total(embed));
        assertEquals(1024, embed.get("fields").get(1).get("value").asText().length());
    }

    private static int total(JsonNode embed) {
        int total = embed.get("title").asText().length() + embed.get("description").asText().length()
                + embed.get("footer").get("text").asText().length();
        for (JsonNode field : embed.get("fields")) {
            total += field.get("name").asText().length() + field.get("value").asText().length();
        }
        return total;
    }

    @Test
    void fieldsCarryDeviceValueThresholdAndTime() {
        ObjectNode event = json.createObjectNode()
                .put("event", "threshold_exceeded").put("device_id", "esp32-001").put("device_name", "Greenhouse")
                .put("severity", "critical").put("current_value", 38.7).put("threshold", 35.0)
                .put("timestamp", "2026-03-10T15:10:00Z").put("message", "temperature 38.7 above 35.0");

        ObjectNode message = DiscordMessage.render(json, event);
        JsonNode embed = message.get("embeds").get(0);

        assertEquals("Threshold exceeded · Greenhouse", embed.get("title").asText());
        assertEquals("temperature 38.7 above 35.0", embed.get("description").asText());
        assertEquals(0xE74C3C, embed.get("color").asInt());
        assertEquals("Device", embed.get("fields").get(0).get("name").asText());
        assertEquals("Greenhouse (esp32-001)", embed.get("fields").get(0).get("value").asText());
        assertEquals("38.7", embed.get("fields").get(1).get("value").asText());
        assertEquals("35.0", embed.get("fields").get(2).get("value").asText());
        assertEquals("2026-03-10T15:10:00Z", embed.get("fields").get(3).get("value").asText());
        assertEquals(0, message.get("allowed_mentions").get("parse").size());
    }
}
