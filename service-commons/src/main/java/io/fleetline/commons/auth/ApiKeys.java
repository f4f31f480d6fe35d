package io.fleetline.commons.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The API key format ({@code swk_} + 48 lowercase hex, 192 bits from a CSPRNG) and its stored
 * form. A key is stored only as its SHA-256: with 192 random bits a salt or slow hash adds
 * nothing, and a fast hash keeps verification off the request's critical path.
 */
public final class ApiKeys {

    /** What every key looks like. */
    public static final Pattern FORMAT = Pattern.compile("swk_[0-9a-f]{48}");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private ApiKeys() {
    }

    /** A new random key. */
    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return "swk_" + HEX.formatHex(bytes);
    }

    /** Whether {@code candidate} has the shape of a key (it may still be unknown). */
    public static boolean isWellFormed(String candidate) {
        return candidate != null && FORMAT.matcher(candidate).matches();
    }

    /** The stored form of {@code key}, and of any random secret (device MQTT passwords): lowercase hex of its SHA-256. */
    public static String hash(String key) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The part kept for display, such as {@code swk_3f9a}: too short to help guess the rest. */
    public static String prefix(String key) {
        return key.substring(0, 8);
    }
}
