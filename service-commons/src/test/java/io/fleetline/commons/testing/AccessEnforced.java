package io.fleetline.commons.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The test profile of access tests: API keys and JWTs enforced as in production. */
public class AccessEnforced implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleetline.auth.enabled", "true");
    }
}
