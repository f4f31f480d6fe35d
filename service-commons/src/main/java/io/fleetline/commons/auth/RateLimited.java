package io.fleetline.commons.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The rate-limit class of a resource method or class, such as {@code ingest} or
 * {@code commands}; its limit is {@code fleetline.rate-limit.limits.<class>}. Routes without it
 * count against {@code default}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface RateLimited {

    /** Data ingest: 60 requests per minute by default. */
    String INGEST = "ingest";

    /** Device commands: 10 requests per minute by default. */
    String COMMANDS = "commands";

    /** The class name, a key of {@code fleetline.rate-limit.limits}. */
    String value();
}
