package io.fleetline.telemetry.domain;

import java.util.List;

import io.vertx.core.json.Json;

/** RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF. */
public final class Csv {

    private Csv() {
    }

    /** Appends one record of {@code fields} to {@code out}. */
    public static void record(StringBuilder out, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            field(out, fields.get(i));
        }
        out.append("\r\n");
    }

    /** A metric value as CSV text: strings as they are, numbers and booleans as JSON, objects and arrays as JSON text. */
    public static String value(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof String text ? text : Json.encode(value);
    }

    private static void field(StringBuilder out, String text) {
        boolean quote = false;
        for (int i = 0; i < text.length() && !quote; i++) {
            char c = text.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.append(text);
            return;
        }
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                out.append('"');
            }
            out.append(c);
        }
        out.append('"');
    }
}
