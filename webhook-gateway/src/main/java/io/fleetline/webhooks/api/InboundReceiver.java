package io.fleetline.webhooks.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.commons.store.Sql;
import io.fleetline.webhooks.config.WebhooksConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Receives events pushed by another platform: size first (413 before any hashing), then the
 * signature over the raw bytes ({@code X-Webhook-Signature}, and Standard Webhooks when its
 * headers are present), then the JSON. An accepted event is stored once per event id within the
 * dedup window and re-published as a platform event through the outbox, so it fans out like a
 * local one.
 */
@ApplicationScoped
public class InboundReceiver {

    private static final Logger LOG = Logger.getLogger(InboundReceiver.class);
    private static final String INVALID = "Invalid signature.";
    private static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");

    private final Pool pool;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final WebhooksConfig config;
    private final List<String> secrets;

    InboundReceiver(Pool pool, Outbox outbox, ObjectMapper json, WebhooksConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.json = json;
        this.config = config;
        this.secrets = config.inboundSecrets().orElse(List.of()).stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Answers one inbound webhook request. */
    public Uni<Response> receive(HttpHeaders headers, byte[] raw) {
        byte[] body = raw == null ? new byte[0] : raw;
        long max = config.inboundMaxBodySize().asLongValue();
        if (body.length > max) {
            throw ApiException.payloadTooLarge("Request body exceeds " + max + " bytes.");
        }
        verify(headers, body);
        ObjectNode node = parse(body);
        PlatformEvent event = event(node, headers);
        return store(event, body).map(stored -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("status", "ok");
            answer.put("received", true);
            if (!stored) {
                answer.put("duplicate", true);
            } else {
                LOG.infof("Received webhook: event=%s, device=%s", event.event().wire(), printable(event.deviceId()));
            }
            return Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build();
        });
    }

    private void verify(HttpHeaders headers, byte[] body) {
        String signature = headers.getHeaderString("X-Webhook-Signature");
        if (secrets.stream().noneMatch(secret -> WebhookSignatures.verifyHmacHeader(signature, body, secret))) {
            throw ApiException.unauthorized(INVALID);
        }
        String id = headers.getHeaderString("webhook-id");
        String timestamp = headers.getHeaderString("webhook-timestamp");
        String standard = headers.getHeaderString("webhook-signature");
        if (id == null && timestamp == null && standard == null) {
            return;
        }
        Instant now = Instant.now();
        if (secrets.stream().noneMatch(secret -> WebhookSignatures.verifyStandard(secret, id, timestamp, standard, body,
                now, config.inboundTolerance()))) {
            throw ApiException.unauthorized(INVALID);
        }
    }

    private ObjectNode parse(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (Exception e) {
            throw ApiException.badRequest("Malformed JSON body.");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("Body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    private PlatformEvent event(ObjectNode node, HttpHeaders headers) {
        JsonNode type = node.get("event");
        if (type == null || !type.isTextual() || EventType.fromWire(type.asText()) == null) {
            throw ApiException.invalidField("event", "must be one of " + Arrays.stream(EventType.values())
                    .map(EventType::wire).collect(Collectors.joining(", ")));
        }
        String eventId = firstOf(node.path("event_id").isTextual() ? node.get("event_id").asText() : null,
                headers.getHeaderString("webhook-id"), headers.getHeaderString("X-Webhook-Id"));
        if (eventId != null && (eventId.isEmpty() || eventId.length() > 128)) {
            throw ApiException.invalidField("event_id", "must be 1 to 128 characters");
        }
        String deviceId = string(node, "device_id");
        if (deviceId != null && !DEVICE_ID.matcher(deviceId).matches()) {
            throw ApiException.invalidField("device_id", "must match " + DEVICE_ID.pattern());
        }
        JsonNode severity = node.get("severity");
        if (severity != null && !severity.isNull() && (!severity.isTextual() || Severity.fromWire(severity.asText()) == null)) {
            throw ApiException.invalidField("severity", "must be one of info, warning, critical");
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw ApiException.invalidField("metadata", "must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metadataMap = metadata == null || metadata.isNull() ? null : json.convertValue(metadata, Map.class);
        return new PlatformEvent(EventType.fromWire(type.asText()), eventId == null ? Ids.event() : eventId,
                string(node, "alert_id"), deviceId, string(node, "device_name"), timestamp(node.get("timestamp")),
                severity == null || severity.isNull() ? null : Severity.fromWire(severity.asText()),
                string(node, "condition"), number(node, "current_value"), number(node, "threshold"),
                string(node, "message"), metadataMap);
    }

    private static String string(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalidField(field, "must be a string");
        }
        return value.asText();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw ApiException.invalidField(field, "must be a number");
        }
        return value.asDouble();
    }

    /** RFC 3339 with Z or an offset (none means UTC), or epoch milliseconds; now when absent. */
    private static Instant timestamp(JsonNode value) {
        if (value == null || value.isNull()) {
            return Instant.now();
        }
        if (value.isIntegralNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        if (value.isTextual()) {
            try {
                return OffsetDateTime.parse(value.asText()).toInstant();
            } catch (DateTimeParseException withoutOffset) {
                try {
                    return LocalDateTime.parse(value.asText()).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    // falls through to the error below
                }
            }
        }
        throw ApiException.invalidField("timestamp", "must be an RFC 3339 time or epoch milliseconds");
    }

    /** Stores the event and its re-publication in one transaction; false when it is a duplicate. */
    private Uni<Boolean> store(PlatformEvent event, byte[] body) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("INSERT INTO webhooks.inbound_events (event_id, event_type, device_id, payload)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO UPDATE SET received_at = now(),"
                        + " event_type = excluded.event_type, device_id = excluded.device_id, payload = excluded.payload"
                        + " WHERE webhooks.inbound_events.received_at < now() - $5::bigint * interval '1 second' RETURNING event_id")
                .execute(Tuple.of(event.eventId(), event.event().wire(), event.deviceId(), Buffer.buffer(body),
                        config.inboundDedupWindow().toSeconds()))
                .chain(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(false)
                        : outbox.append(tx, event).replaceWith(true)))
                .onFailure(Sql::isUniqueViolation).recoverWithItem(false)
                .invoke(stored -> {
                    if (stored) {
                        outbox.relayNow();
                    }
                });
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** {@code text} without control characters, so a sender cannot forge log lines. */
    private static String printable(String text) {
        return text == null ? null : text.replaceAll("\\p{Cntrl}", "?");
    }
}
