package io.fleetline.telemetry.domain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import io.fleetline.commons.api.ApiException;

/**
 * A keyset position after the reading {@code (ts, id)}: the next page starts strictly past it in
 * the page's order, so readings inserted meanwhile never shift or repeat a page. Opaque to
 * clients (base64url of {@code <epoch micros>.<id>}).
 */
public record Cursor(Instant ts, long id) {

    /** The cursor as sent to clients. */
    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, ts);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "." + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor a client sent back, or a 400 when it is not one of ours. */
    public static Cursor decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
            int dot = plain.indexOf('.');
            long micros = Long.parseLong(plain.substring(0, dot));
            long id = Long.parseLong(plain.substring(dot + 1));
            return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
        } catch (RuntimeException e) {
            throw ApiException.invalidField("cursor", "must be a next_cursor value returned by this API.");
        }
    }
}
