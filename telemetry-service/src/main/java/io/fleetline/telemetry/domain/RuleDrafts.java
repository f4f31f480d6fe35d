package io.fleetline.telemetry.domain;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.rules.Operator;
import io.fleetline.commons.rules.Rule;

/**
 * Turns a rule body (create) or a body merged onto a stored rule (patch) into a valid
 * {@link Rule}, or a 400 naming the field and its rule. Unknown fields are refused so a typo
 * ({@code "treshold"}) is not silently ignored.
 */
public final class RuleDrafts {

    /** Device ids and types: one MQTT topic level and one URL path segment. */
    public static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$");
    /** Metric names, as the ingest accepts them. */
    public static final Pattern METRIC = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$");
    /** The longest hold a rule may ask for: 30 days. */
    public static final int MAX_DURATION_S = 30 * 24 * 3600;

    private static final Set<String> FIELDS = Set.of("device_id", "device_type", "metric", "operator", "threshold",
            "clear_threshold", "severity", "duration_s", "enabled");

    private RuleDrafts() {
    }

    /** The rule described by {@code body}, with the given identity and times. */
    public static Rule create(JsonNode body, String id, Instant now) {
        return parse(requireObject(body), id, now, now);
    }

    /** {@code stored} with the fields of {@code patch} applied ({@code null} clears an optional field). */
    public static Rule patch(Rule stored, JsonNode patch, Instant now) {
        ObjectNode merged = toNode(stored);
        Iterator<Map.Entry<String, JsonNode>> fields = requireObject(patch).fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            merged.set(field.getKey(), field.getValue());
        }
        // naming one scope replaces the other
        if (patch.has("device_id") && !patch.get("device_id").isNull() && !patch.has("device_type")) {
            merged.remove("device_type");
        }
        if (patch.has("device_type") && !patch.get("device_type").isNull() && !patch.has("device_id")) {
            merged.remove("device_id");
        }
        return parse(merged, stored.id(), stored.createdAt(), now);
    }

    /** Whether going from {@code before} to {@code after} changes what the rule's state means. */
    public static boolean resetsState(Rule before, Rule after) {
        return !java.util.Objects.equals(before.deviceId(), after.deviceId())
                || !java.util.Objects.equals(before.deviceType(), after.deviceType())
                || !before.metric().equals(after.metric())
                || before.operator() != after.operator()
                || before.threshold() != after.threshold()
                || !java.util.Objects.equals(before.clearThreshold(), after.clearThreshold())
                || before.durationS() != after.durationS()
                || before.enabled() != after.enabled();
    }

    private static JsonNode requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("The body must be a JSON object.");
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.invalidField(name, "is not a rule field (allowed: " + String.join(", ",
                        new java.util.TreeSet<>(FIELDS)) + ").");
            }
        }
        return body;
    }

    private static Rule parse(JsonNode body, String id, Instant createdAt, Instant updatedAt) {
        String deviceId = optionalText(body, "device_id");
        String deviceType = optionalText(body, "device_type");
        if ((deviceId == null) == (deviceType == null)) {
            throw ApiException.badRequest("Exactly one of 'device_id' and 'device_type' must be given.");
        }
        if (deviceId != null && !DEVICE_ID.matcher(deviceId).matches()) {
            throw ApiException.invalidField("device_id", "must match " + DEVICE_ID.pattern());
        }
        if (deviceType != null && !DEVICE_ID.matcher(deviceType).matches()) {
            throw ApiException.invalidField("device_type", "must match " + DEVICE_ID.pattern());
        }
        String metric = optionalText(body, "metric");
        if (metric == null || !METRIC.matcher(metric).matches()) {
            throw ApiException.invalidField("metric", "must be a string matching " + METRIC.pattern());
        }
        String operatorText = optionalText(body, "operator");
        Operator operator = Operator.fromSymbol(operatorText);
        if (operator == null) {
            throw ApiException.invalidField("operator", "must be one of >, >=, <, <=, ==, !=.");
        }
        double threshold = requiredNumber(body, "threshold");
        Double clearThreshold = body.hasNonNull("clear_threshold") ? requiredNumber(body, "clear_threshold") : null;
        if (clearThreshold != null && !operator.acceptsClearThreshold(threshold, clearThreshold)) {
            throw ApiException.invalidField("clear_threshold", operator.ordering()
                    ? "must not be past 'threshold' (" + (operator == Operator.GT || operator == Operator.GE
                            ? "<= " : ">= ") + threshold + " for operator " + operator.symbol() + ")."
                    : "is only allowed with the operators >, >=, <, <=.");
        }
        Severity severity = Severity.fromWire(optionalText(body, "severity"));
        if (severity == null) {
            throw ApiException.invalidField("severity", "must be one of info, warning, critical.");
        }
        int durationS = 0;
        if (body.hasNonNull("duration_s")) {
            JsonNode duration = body.get("duration_s");
            if (!duration.canConvertToInt() || !duration.isIntegralNumber() || duration.intValue() < 0
                    || duration.intValue() > MAX_DURATION_S) {
                throw ApiException.invalidField("duration_s", "must be an integer from 0 to " + MAX_DURATION_S + ".");
            }
            durationS = duration.intValue();
        }
        boolean enabled = true;
        if (body.hasNonNull("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                throw ApiException.invalidField("enabled", "must be true or false.");
            }
            enabled = body.get("enabled").booleanValue();
        }
        return new Rule(id, deviceId, deviceType, metric, operator, threshold, clearThreshold, severity, durationS,
                enabled, createdAt, updatedAt);
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalidField(field, "must be a string.");
        }
        return value.textValue();
    }

    private static double requiredNumber(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw ApiException.invalidField(field, "must be a finite number.");
        }
        return value.doubleValue();
    }

    private static ObjectNode toNode(Rule rule) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (rule.deviceId() != null) {
            node.put("device_id", rule.deviceId());
        }
        if (rule.deviceType() != null) {
            node.put("device_type", rule.deviceType());
        }
        node.put("metric", rule.metric());
        node.put("operator", rule.operator().symbol());
        node.put("threshold", rule.threshold());
        if (rule.clearThreshold() != null) {
            node.put("clear_threshold", rule.clearThreshold());
        }
        node.put("severity", rule.severity().wire());
        node.put("duration_s", rule.durationS());
        node.put("enabled", rule.enabled());
        return node;
    }
}
