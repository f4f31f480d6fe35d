package io.fleetline.commons.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two webhook signature schemes of docs/architecture.md, computed and verified over raw
 * bytes: {@code X-Webhook-Signature: sha256=<hex>} (key = the UTF-8 bytes of the secret) and
 * Standard Webhooks {@code webhook-signature: v1,<base64>} (key = the base64 part of a
 * {@code whsec_} secret, message = {@code id.timestamp.body}). Verification never throws on
 * malformed input and compares in constant time.
 */
public final class WebhookSignatures {

    /** Prefix of the {@code X-Webhook-Signature} value. */
    public static final String HMAC_PREFIX = "sha256=";
    /** Prefix of endpoint secrets. */
    public static final String SECRET_PREFIX = "whsec_";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private WebhookSignatures() {
    }

    /** A new endpoint secret: {@code whsec_} + base64 of 32 random bytes. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code X-Webhook-Signature} value for {@code body}: {@code sha256=} + lowercase hex. */
    public static String hmacHeader(String secret, byte[] body) {
        return HMAC_PREFIX + HEX.formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /**
     * Whether {@code header} is {@code sha256=} followed by 64 hex digits (either case) that equal
     * the HMAC of {@code body} under {@code secret}. Missing or malformed headers are simply false.
     */
    public static boolean verifyHmacHeader(String header, byte[] body, String secret) {
        byte[] claimed = parseHex(header);
        return claimed != null && MessageDigest.isEqual(claimed, hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /** The {@code v1,<base64>} signature of Standard Webhooks for one secret. */
    public static String standardSignature(String secret, String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(hmac(standardKey(secret), standardMessage(id, timestamp, body)));
    }

    /**
     * Whether {@code signatures} (space-separated {@code v1,<base64>} entries) holds a valid
     * signature of {@code body} under {@code secret}, with {@code timestamp} (Unix seconds) no
     * further than {@code tolerance} from {@code now}. Malformed values are simply false.
     */
    public static boolean verifyStandard(String secret, String id, String timestamp, String signatures, byte[] body,
            Instant now, Duration tolerance) {
        if (id == null || id.isEmpty() || timestamp == null || signatures == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return false;
        }
        byte[] key;
        try {
            key = standardKey(secret);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Canonical base64 is compared as text: no lenient decoding (missing padding) sneaks through.
        byte[] expected = ("v1," + Base64.getEncoder().encodeToString(hmac(key, standardMessage(id, seconds, body))))
                .getBytes(StandardCharsets.US_ASCII);
        boolean valid = false;
        for (String entry : signatures.trim().split(" +")) {
            // No early exit: every entry is checked, so timing does not reveal which one matched.
            valid |= MessageDigest.isEqual(entry.getBytes(StandardCharsets.US_ASCII), expected);
        }
        return valid;
    }

    /** The HMAC key of a Standard Webhooks secret: the base64-decoded part after {@code whsec_}. */
    public static byte[] standardKey(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }

    private static byte[] standardMessage(String id, long timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        return message;
    }

    private static byte[] parseHex(String header) {
        if (header == null || !header.startsWith(HMAC_PREFIX) || header.length() != HMAC_PREFIX.length() + 64) {
            return null;
        }
        try {
            return HEX.parseHex(header.substring(HMAC_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty key is legal for HMAC but not for SecretKeySpec; one zero byte is the same key.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
