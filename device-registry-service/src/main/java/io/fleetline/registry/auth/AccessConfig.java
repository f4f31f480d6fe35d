package io.fleetline.registry.auth;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The registry's side of access control: the bootstrap admin key, key rotation and JWT issuing. */
@ConfigMapping(prefix = "fleetline.registry.access")
public interface AccessConfig {

    /** Where the bootstrap admin key is written (owner-only) when no admin key exists at start-up. */
    @WithDefault(".stack/admin.key")
    Path bootstrapKeyFile();

    /** The PEM (PKCS#8) RSA key JWTs are signed with; generated there at first start. */
    @WithDefault(".stack/jwt/private.pem")
    Path jwtPrivateKeyFile();

    /** Lifetime of an issued JWT. */
    @WithDefault("PT15M")
    Duration tokenLifetime();

    /** How long a rotated key keeps working when the request names no {@code grace_s}. */
    @WithDefault("PT24H")
    Duration rotationGrace();
}
