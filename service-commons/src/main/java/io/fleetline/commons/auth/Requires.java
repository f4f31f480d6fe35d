package io.fleetline.commons.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The permission a resource method (or every method of a resource class) requires. Every
 * route under {@code /api} declares one; only health and metrics are open.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface Requires {

    /** The least permission that grants access. */
    Permission value();
}
