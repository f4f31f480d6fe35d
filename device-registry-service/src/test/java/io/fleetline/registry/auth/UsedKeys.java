package io.fleetline.registry.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every key and token the access tests used, to prove afterwards that none reached the log. */
final class UsedKeys {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private UsedKeys() {
    }

    static String remember(String secret) {
        SECRETS.add(secret);
        return secret;
    }

    static void assertAbsentFromLog() throws IOException {
        Path log = Path.of(AccessProfile.LOG_FILE);
        assertTrue(Files.exists(log), "the test profile writes the log to " + log);
        String captured = Files.readString(log);
        assertTrue(captured.contains("/api/v1/"), "the access log captured the requests");
        assertFalse(SECRETS.isEmpty());
        for (String secret : SECRETS) {
            assertFalse(captured.contains(secret), "a key or token used by the tests appears in " + log);
            if (secret.startsWith("swk_")) {
                assertFalse(captured.contains(secret.substring(8)), "the secret part of a key appears in " + log);
            }
        }
    }
}
