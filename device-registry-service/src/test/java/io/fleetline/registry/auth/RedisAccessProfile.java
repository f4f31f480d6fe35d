package io.fleetline.registry.auth;

import java.util.HashMap;
import java.util.Map;

/** {@link AccessProfile} with the counters in the machine's Redis (127.0.0.1:6379). */
public class RedisAccessProfile extends AccessProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("fleetline.rate-limit.store", "redis");
        return overrides;
    }
}
