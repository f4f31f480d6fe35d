package io.fleetline.commons.auth;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Access control of the service: API keys, JWTs and the key cache. */
@ConfigMapping(prefix = "fleetline.auth")
public interface AuthConfig {

    /** Whether routes enforce {@code @Requires}; the service tests switch it off outside their access tests. */
    @WithDefault("true")
    boolean enabled();

    /** Most keys kept in the in-memory cache; past it the cache starts over. */
    @WithDefault("10000")
    int cacheSize();

    /** Longest time a cached key is trusted even without a revocation notice (a safety net only). */
    @WithDefault("PT5M")
    Duration cacheMaxAge();

    /** How often the {@code last_used_at} of keys used meanwhile is written, in one statement. */
    @WithDefault("PT10S")
    Duration lastUsedFlushInterval();

    /** The PEM public key of the registry that JWTs are verified with. */
    @WithDefault(".stack/jwt/public.pem")
    Path jwtPublicKeyFile();
}
