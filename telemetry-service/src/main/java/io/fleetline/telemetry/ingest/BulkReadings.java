package io.fleetline.telemetry.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.readings.IncomingReading;
import io.fleetline.commons.readings.ReadingParser;
import io.fleetline.commons.readings.ReadingRejectedException;

/** The body of the bulk ingest route: {@code {"device_id","readings":{...}|[{...},...]}}, all or nothing. */
public final class BulkReadings {

    /** Most readings one bulk request may carry. */
    public static final int MAX_READINGS = 1_000;

    private BulkReadings() {
    }

    /** The validated readings of {@code body}; any invalid reading refuses the whole body with a 400. */
    public static List<IncomingReading> parse(byte[] body, Instant now) {
        try {
            JsonNode root = ReadingParser.readTree(body);
            if (!root.isObject()) {
                throw ApiException.badRequest("Body must be a JSON object {\"device_id\", \"readings\"}.");
            }
            for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!name.equals("device_id") && !name.equals("readings")) {
                    throw ApiException.invalidField(name, "is not allowed; send device_id and readings only.");
                }
            }
            JsonNode device = root.get("device_id");
            if (device == null || !device.isTextual() || !ReadingParser.DEVICE_ID.matcher(device.textValue()).matches()) {
                throw ApiException.invalidField("device_id", "must match " + ReadingParser.DEVICE_ID.pattern() + ".");
            }
            String deviceId = device.textValue();
            JsonNode readings = root.get("readings");
            if (readings == null || !(readings.isObject() || readings.isArray())) {
                throw ApiException.invalidField("readings", "must be a reading object or an array of reading objects.");
            }
            if (readings.isObject()) {
                return List.of(ReadingParser.toReading(deviceId, readings, "readings.", now));
            }
            if (readings.isEmpty() || readings.size() > MAX_READINGS) {
                throw ApiException.invalidField("readings", "must hold 1 to " + MAX_READINGS + " readings.");
            }
            List<IncomingReading> parsed = new ArrayList<>(readings.size());
            for (int i = 0; i < readings.size(); i++) {
                parsed.add(ReadingParser.toReading(deviceId, readings.get(i), "readings[" + i + "].", now));
            }
            return parsed;
        } catch (ReadingRejectedException e) {
            throw e.toApiException();
        }
    }
}
