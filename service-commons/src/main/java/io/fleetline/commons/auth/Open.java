package io.fleetline.commons.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a route under {@code /api} that needs no credential, such as the JWK set; everything
 * else under {@code /api} declares {@link Requires}. Open routes are still rate limited.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface Open {
}
