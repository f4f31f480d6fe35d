package io.fleetline.commons.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The signature schemes against the contract's known-good vectors and malformed input. */
class WebhookSignaturesTest {

    private static final String HMAC_SECRET = "It's a Secret to Everybody";
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String HELLO_SIGNATURE =
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String STANDARD_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long STANDARD_TS = 1614265330L;
    private static final byte[] STANDARD_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String STANDARD_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static final Instant AT_VECTOR = Instant.ofEpochSecond(STANDARD_TS);
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    @Test
    void hmacHeaderMatchesTheContractVector() {
        assertEquals(HELLO_SIGNATURE, WebhookSignatures.hmacHeader(HMAC_SECRET, HELLO));
    }

    @Test
    void hmacHeaderVerifiesInEitherHexCase() {
        assertTrue(WebhookSignatures.verifyHmacHeader(HELLO_SIGNATURE, HELLO, HMAC_SECRET));
        String upper = "sha256=" + HELLO_SIGNATURE.substring(7).toUpperCase();
        assertTrue(WebhookSignatures.verifyHmacHeader(upper, HELLO, HMAC_SECRET));
    }

    @Test
    void malformedOrWrongHmacHeadersAreRejectedWithoutThrowing() {
        String hex = HELLO_SIGNATURE.substring(7);
        for (String header : new String[] { null, "", "sha256=", "sha256=abc", hex, "sha1=" + hex,
                "SHA256=" + hex, "sha256=" + hex + "00", "sha256=" + hex.substring(2),
                "sha256=" + "zz" + hex.substring(2), "sha256= " + hex.substring(1),
                "sha256=" + hex.substring(0, 63) + (hex.endsWith("7") ? "8" : "7") }) {
            assertFalse(WebhookSignatures.verifyHmacHeader(header, HELLO, HMAC_SECRET), "accepted " + header);
        }
        assertFalse(WebhookSignatures.verifyHmacHeader(HELLO_SIGNATURE, "Hello, World?".getBytes(), HMAC_SECRET));
        assertFalse(WebhookSignatures.verifyHmacHeader(HELLO_SIGNATURE, HELLO, "another secret"));
    }

    @Test
    void standardSignatureMatchesTheContractVector() {
        assertEquals(STANDARD_SIGNATURE,
                WebhookSignatures.standardSignature(STANDARD_SECRET, STANDARD_ID, STANDARD_TS, STANDARD_BODY));
    }

    @Test
    void standardSignatureVerifiesAmongSeveralEntries() {
        assertTrue(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, "1614265330", STANDARD_SIGNATURE,
                STANDARD_BODY, AT_VECTOR, TOLERANCE));
        String rotated = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + STANDARD_SIGNATURE;
        assertTrue(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, "1614265330", rotated,
                STANDARD_BODY, AT_VECTOR, TOLERANCE));
    }

    @Test
    void standardSignatureOutsideTheToleranceIsRejected() {
        assertFalse(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, "1614265330", STANDARD_SIGNATURE,
                STANDARD_BODY, AT_VECTOR.plusSeconds(301), TOLERANCE));
        assertFalse(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, "1614265330", STANDARD_SIGNATURE,
                STANDARD_BODY, AT_VECTOR.minusSeconds(301), TOLERANCE));
    }

    @Test
    void malformedOrWrongStandardHeadersAreRejectedWithoutThrowing() {
        for (String signature : new String[] { "", "v1,", "v1,!!!", "v2," + STANDARD_SIGNATURE.substring(3),
                STANDARD_SIGNATURE.substring(3), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE" }) {
            assertFalse(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, "1614265330", signature,
                    STANDARD_BODY, AT_VECTOR, TOLERANCE), "accepted " + signature);
        }
        for (String timestamp : new String[] { null, "", "abc", "1614265330.5" }) {
            assertFalse(WebhookSignatures.verifyStandard(STANDARD_SECRET, STANDARD_ID, timestamp, STANDARD_SIGNATURE,
                    STANDARD_BODY, AT_VECTOR, TOLERANCE), "accepted timestamp " + timestamp);
        }
        assertFalse(WebhookSignatures.verifyStandard(STANDARD_SECRET, "msg_other", "1614265330", STANDARD_SIGNATURE,
                STANDARD_BODY, AT_VECTOR, TOLERANCE));
        assertFalse(WebhookSignatures.verifyStandard("not base64 !", STANDARD_ID, "1614265330", STANDARD_SIGNATURE,
                STANDARD_BODY, AT_VECTOR, TOLERANCE));
    }

    @Test
    void newSecretsAreUsableForBothSchemes() {
        String secret = WebhookSignatures.newSecret();
        assertTrue(secret.startsWith("whsec_"));
        assertEquals(32, WebhookSignatures.standardKey(secret).length);
        String signature = WebhookSignatures.standardSignature(secret, "evt_1", 1700000000L, HELLO);
        assertTrue(WebhookSignatures.verifyStandard(secret, "evt_1", "1700000000", signature, HELLO,
                Instant.ofEpochSecond(1700000000L), TOLERANCE));
        assertTrue(WebhookSignatures.verifyHmacHeader(WebhookSignatures.hmacHeader(secret, HELLO), HELLO, secret));
    }
}
