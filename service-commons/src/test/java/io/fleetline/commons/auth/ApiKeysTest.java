package io.fleetline.commons.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void generatedKeysHaveTheDocumentedFormatAndDiffer() {
        String key = ApiKeys.generate();
        assertTrue(key.matches("swk_[0-9a-f]{48}"), key.substring(0, 8));
        assertNotEquals(key, ApiKeys.generate());
        assertEquals(key.substring(0, 8), ApiKeys.prefix(key));
    }

    @Test
    void hashIsTheHexSha256OfTheKey() {
        assertEquals(64, ApiKeys.hash("swk_x").length());
        // sha256("abc"), the FIPS 180-2 test vector.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.hash("abc"));
    }

    @Test
    void onlyWellFormedKeysAreLookedUp() {
        assertFalse(ApiKeys.isWellFormed("swk_ABC"));
        assertFalse(ApiKeys.isWellFormed("swk_" + "G".repeat(48)));
        assertFalse(ApiKeys.isWellFormed(null));
        assertTrue(ApiKeys.isWellFormed("swk_" + "a".repeat(48)));
    }
}
