package io.fleetline.commons.readings;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.json.JsonObject;

/**
 * Parses and validates one reading, the same way for MQTT and HTTP: a JSON object of metrics
 * (finite numbers, booleans, strings up to 256 characters, nested objects) with an optional
 * {@code ts} (RFC 3339 with Z or an offset, no offset read as UTC, or epoch milliseconds; at most
 * 24 h ahead), an optional {@code msg_id}, and an optional {@code device_id} that must equal the
 * device of the topic or path. Every refusal is a {@link ReadingRejectedException}.
 */
public final class ReadingParser {

    /** Device ids of the contract: safe as one MQTT topic level and one URL path segment. */
    public static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");
    /** Metric names (also the keys of nested objects). */
    public static final Pattern METRIC_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$");
    /** The largest reading accepted, in bytes. */
    public static final int MAX_READING_BYTES = 64 * 1024;

    private static final int MAX_STRING = 256;
    private static final int MAX_DEPTH = 8;
    private static final Pattern MSG_ID = Pattern.compile("^[\\x21-\\x7E]{1,128}$");
    private static final Duration MAX_AHEAD = Duration.ofHours(24);

    // NaN and Infinity are read (not refused as malformed) so that they are reported as what they are.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ReadingParser() {
    }

    /** Parses one reading of {@code deviceId} from raw bytes (MQTT payload or HTTP body). */
    public static IncomingReading parse(String deviceId, byte[] bytes, Instant now) {
        if (bytes.length > MAX_READING_BYTES) {
            throw new ReadingRejectedException(RejectReason.OVERSIZE,
                    "Reading exceeds " + MAX_READING_BYTES + " bytes.");
        }
        return toReading(deviceId, readTree(bytes), "", now);
    }

    /** Reads UTF-8 JSON strictly (duplicate keys and trailing garbage are malformed). */
    public static JsonNode readTree(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ReadingRejectedException(RejectReason.INVALID_UTF8, "Body must be valid UTF-8.");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ReadingRejectedException(RejectReason.MALFORMED_JSON, "Body must be a JSON object.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ReadingRejectedException(RejectReason.MALFORMED_JSON,
                    "Malformed JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Validates {@code node} as one reading of {@code deviceId}; {@code field} prefixes the field
     * names in messages (such as {@code readings[3].}).
     */
    public static IncomingReading toReading(String deviceId, JsonNode node, String field, Instant now) {
        if (!node.isObject()) {
            throw new ReadingRejectedException(RejectReason.NOT_AN_OBJECT,
                    (field.isEmpty() ? "Reading" : "Field '" + trim(field) + "'") + " must be a JSON object of metrics.");
        }
        ObjectNode metrics = ((ObjectNode) node).deepCopy();
        JsonNode deviceField = metrics.remove("device_id");
        if (deviceField != null && !(deviceField.isTextual() && deviceField.asText().equals(deviceId))) {
            throw rejected(RejectReason.DEVICE_ID_MISMATCH, field + "device_id", "must equal the device id '" + deviceId + "'");
        }
        Instant ts = parseTs(metrics.remove("ts"), field + "ts", now);
        String msgId = parseMsgId(metrics.remove("msg_id"), field + "msg_id");
        if (metrics.isEmpty()) {
            throw new ReadingRejectedException(RejectReason.NO_METRICS,
                    (field.isEmpty() ? "Reading" : "Field '" + trim(field) + "'") + " must contain at least one metric.");
        }
        Map<String, Object> payload = toMap(metrics, field, 1);
        try {
            return new IncomingReading(deviceId, ts, msgId, new JsonObject(payload), JSON.writeValueAsString(metrics), now);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated reading cannot be serialized", e);
        }
    }

    private static Map<String, Object> toMap(ObjectNode object, String prefix, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = prefix + entry.getKey();
            if (!METRIC_NAME.matcher(entry.getKey()).matches()) {
                throw rejected(RejectReason.INVALID_METRIC_NAME, name, "must match " + METRIC_NAME.pattern());
            }
            map.put(entry.getKey(), toValue(entry.getValue(), name, depth));
        }
        return map;
    }

    private static Object toValue(JsonNode value, String name, int depth) {
        if (value.isNumber()) {
            if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
                throw rejected(RejectReason.NON_FINITE_NUMBER, name, "must be a finite number");
            }
            return value.numberValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            String text = value.textValue();
            if (text.length() > MAX_STRING) {
                throw rejected(RejectReason.STRING_TOO_LONG, name, "must be at most " + MAX_STRING + " characters");
            }
            if (!storable(text)) {
                // PostgreSQL's jsonb refuses U+0000 and unpaired surrogates (escaped lone surrogates); refused
                // here, they would fail the whole batch.
                throw rejected(RejectReason.UNSUPPORTED_VALUE, name,
                        "must not contain U+0000 or unpaired surrogate escapes");
            }
            return text;
        }
        if (value.isObject()) {
            if (depth >= MAX_DEPTH) {
                throw rejected(RejectReason.UNSUPPORTED_VALUE, name, "must not nest objects deeper than " + MAX_DEPTH);
            }
            if (value.isEmpty()) {
                throw rejected(RejectReason.UNSUPPORTED_VALUE, name, "must not be an empty object");
            }
            return toMap((ObjectNode) value, name + ".", depth + 1);
        }
        throw rejected(RejectReason.UNSUPPORTED_VALUE, name,
                "must be a finite number, a boolean, a string or an object");
    }

    private static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000' || Character.isLowSurrogate(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static Instant parseTs(JsonNode value, String name, Instant now) {
        if (value == null) {
            return null;
        }
        Instant ts;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            ts = Instant.ofEpochMilli(value.longValue());
        } else if (value.isTextual()) {
            ts = parseInstant(value.textValue());
        } else {
            ts = null;
        }
        if (ts == null || ts.isBefore(Instant.EPOCH)) {
            throw rejected(RejectReason.INVALID_TS, name,
                    "must be an RFC 3339 timestamp or epoch milliseconds after 1970");
        }
        if (ts.isAfter(now.plus(MAX_AHEAD))) {
            throw rejected(RejectReason.TS_IN_FUTURE, name, "must not be more than 24 hours in the future");
        }
        // PostgreSQL keeps microseconds; the idempotency key must match what is stored.
        return ts.truncatedTo(ChronoUnit.MICROS);
    }

    /** An RFC 3339 timestamp with Z or an offset, or without offset (read as UTC); null if unparseable. */
    public static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                return LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException withoutOffset) {
                return null;
            }
        }
    }

    private static String parseMsgId(JsonNode value, String name) {
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asText();
        }
        if (value.isTextual() && MSG_ID.matcher(value.textValue()).matches()) {
            return value.textValue();
        }
        throw rejected(RejectReason.INVALID_MSG_ID, name,
                "must be an integer or 1 to 128 printable ASCII characters without spaces");
    }

    private static ReadingRejectedException rejected(RejectReason reason, String field, String rule) {
        return new ReadingRejectedException(reason, "Field '" + field + "' " + rule + ".");
    }

    private static String trim(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
