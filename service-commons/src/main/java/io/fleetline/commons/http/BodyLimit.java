package io.fleetline.commons.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.fleetline.commons.api.Envelope;

/**
 * Refuses a request body announced larger than {@code fleetline.http.max-body-size} with the
 * 413 envelope before it is read. Routes with a smaller limit check it themselves.
 */
@ApplicationScoped
public class BodyLimit {

    /** HTTP limits of the service. */
    @ConfigMapping(prefix = "fleetline.http")
    public interface HttpLimits {

        /** Largest request body accepted by any route. */
        @WithDefault("1M")
        MemorySize maxBodySize();
    }

    void install(@Observes Router router, HttpLimits limits) {
        long max = limits.maxBodySize().asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && parse(length) > max) {
                context.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Json.encode(Envelope.error(413, "Request body exceeds " + max + " bytes.")));
                return;
            }
            context.next();
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
