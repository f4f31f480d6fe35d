package io.fleetline.commons.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The JSON envelope of every answer: {@code {"status":"ok","data":...}} or
 * {@code {"status":"error","error":{"code","message"}}}, see docs/architecture.md.
 */
public final class Envelope {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Envelope(String status) {
        fields.put("status", status);
    }

    /** A success answer carrying {@code data} (which may be null). */
    public static Envelope ok(Object data) {
        Envelope envelope = new Envelope("ok");
        envelope.fields.put("data", data);
        return envelope;
    }

    /** A success answer for a list: {@code count} and {@code data}. */
    public static Envelope list(List<?> items) {
        Envelope envelope = new Envelope("ok");
        envelope.fields.put("count", items.size());
        envelope.fields.put("data", items);
        return envelope;
    }

    /** A success answer for one page of a list, with its pagination block. */
    public static Envelope page(List<?> items, Pagination pagination) {
        return list(items).with("pagination", pagination);
    }

    /** An error answer; {@code code} repeats the HTTP status. */
    public static Envelope error(int code, String message) {
        Envelope envelope = new Envelope("error");
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        envelope.fields.put("error", error);
        return envelope;
    }

    /** Adds or replaces a top-level field, such as {@code message}. */
    public Envelope with(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    @JsonValue
    Map<String, Object> fields() {
        return fields;
    }

    /** Offset pagination of a list answer. */
    public record Pagination(long offset, int limit, long total, boolean hasMore) {

        /** Pagination of the page at {@code offset} of at most {@code limit} items out of {@code total}. */
        public static Pagination of(long offset, int limit, long total) {
            // offset + limit would overflow for an offset near Long.MAX_VALUE
            return new Pagination(offset, limit, total, offset < total - limit);
        }
    }
}
