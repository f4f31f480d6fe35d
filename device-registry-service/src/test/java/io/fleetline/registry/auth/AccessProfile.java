package io.fleetline.registry.auth;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Access control switched on, with a small limit class ({@code probe}: 3 per 5 s) for the
 * rate-limit tests, and the log captured to a file so the tests can check no key reached it.
 */
public class AccessProfile implements QuarkusTestProfile {

    static final String LOG_FILE = "target/access-test.log";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("fleetline.auth.enabled", "true"),
                Map.entry("fleetline.auth.last-used-flush-interval", "PT0.2S"),
                Map.entry("fleetline.rate-limit.enabled", "true"),
                Map.entry("fleetline.rate-limit.window", "PT5S"),
                Map.entry("fleetline.rate-limit.limits.default", "1000"),
                Map.entry("fleetline.rate-limit.limits.probe", "3"),
                Map.entry("quarkus.log.file.enabled", "true"),
                Map.entry("quarkus.log.file.path", LOG_FILE),
                Map.entry("quarkus.log.category.\"io.fleetline\".level", "DEBUG"),
                Map.entry("quarkus.http.access-log.enabled", "true"));
    }
}
