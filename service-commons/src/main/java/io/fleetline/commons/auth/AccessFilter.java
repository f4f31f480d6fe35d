package io.fleetline.commons.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.fleetline.commons.api.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Access control of every route under {@code /api}: refuses keys in the query string,
 * authenticates {@code Authorization: Bearer <key|JWT>} or {@code X-API-Key}, applies the rate
 * limit of the caller (its key, or its client address when unauthenticated) and checks the
 * route's {@link Requires}. A route under {@code /api} that declares neither it nor {@link Open}
 * needs admin, so a forgotten annotation fails closed. Health ({@code /api/v1/health}) and {@code /q/*} are open
 * and unlimited. Enforcement follows {@code fleetline.auth.enabled} and
 * {@code fleetline.rate-limit.enabled}.
 */
public class AccessFilter {

    static final String MISSING = "Missing API key. Use Authorization: Bearer <key> or X-API-Key header.";
    private static final Set<String> KEY_PARAMETERS = Set.of("api_key", "apikey", "api-key", "access_token", "key_token");

    private final AuthConfig config;
    private final KeyCache keys;
    private final JwtVerifier tokens;
    private final RateLimiter limiter;
    private final ClientAddress clients;
    private final Caller caller;
    private final Timer checks;

    AccessFilter(AuthConfig config, KeyCache keys, JwtVerifier tokens, RateLimiter limiter, ClientAddress clients,
            Caller caller, MeterRegistry meters) {
        this.config = config;
        this.keys = keys;
        this.tokens = tokens;
        this.limiter = limiter;
        this.clients = clients;
        this.caller = caller;
        this.checks = Timer.builder("fleetline_auth")
                .description("Time access control adds to a request: authentication, rate limit and permission check")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Void> check(ContainerRequestContext context, ResourceInfo resource, HttpServerRequest request) {
        String path = request.path();
        if (!path.startsWith("/api/")) {
            return Uni.createFrom().voidItem();
        }
        refuseKeyInQuery(request);
        if (path.equals("/api/v1/health") || path.equals("/api/health")) {
            return Uni.createFrom().voidItem();
        }
        long started = System.nanoTime();
        Permission required = requirement(resource);
        Uni<Identity> identity = config.enabled() && required != null ? authenticate(request) : Uni.createFrom().nullItem();
        return identity.onItemOrFailure()
                .transformToUni((who, failure) -> limit(resource, request, who)
                        .invoke(() -> admit(who, failure, required)))
                .onTermination().invoke(() -> checks.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    }

    /** After the limit (applied even to a failed authentication): the authentication's outcome, then the permission. */
    private void admit(Identity who, Throwable failure, Permission required) {
        if (failure != null) {
            throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        }
        if (who != null && required != null) {
            caller.authenticate(who.keyId(), who.permission(), who.deviceIds(), who.viaToken());
            keys.markUsed(who.keyId());
            if (!who.permission().grants(required)) {
                throw ApiException.forbidden("Key does not have '" + required.wire() + "' permission.");
            }
        }
    }

    private Uni<Void> limit(ResourceInfo resource, HttpServerRequest request, Identity who) {
        if (!limiter.enabled()) {
            return Uni.createFrom().voidItem();
        }
        String subject = who != null
                ? "key:" + who.keyId()
                : "addr:" + clients.resolve(request.remoteAddress().hostAddress(), request.getHeader("X-Forwarded-For"));
        return limiter.consume(subject, limitClass(resource), who == null ? null : who.rateLimit()).invoke(outcome -> {
            // On the response itself, before any of it is written: streamed answers (CSV) carry them too.
            outcome.headers().forEach(request.response()::putHeader);
            if (!outcome.allowed()) {
                throw new ApiException(429, "Rate limit exceeded. Try again in " + outcome.resetSeconds() + " seconds.");
            }
        }).replaceWithVoid();
    }

    private Uni<Identity> authenticate(HttpServerRequest request) {
        String credential = credential(request);
        if (credential == null) {
            return Uni.createFrom().failure(ApiException.unauthorized(MISSING));
        }
        if (!credential.startsWith("swk_") && credential.chars().filter(c -> c == '.').count() == 2) {
            // A token dies with its key: revocation reaches tokens as fast as keys.
            return tokens.verify(credential).call(token -> keys.findById(token.keyId()).invoke(key -> {
                if (key == null) {
                    throw ApiException.unauthorized(JwtVerifier.INVALID);
                }
                working(key);
            }));
        }
        if (!ApiKeys.isWellFormed(credential)) {
            return Uni.createFrom().failure(ApiException.unauthorized("Invalid API key."));
        }
        return keys.find(ApiKeys.hash(credential)).map(key -> {
            if (key == null) {
                throw ApiException.unauthorized("Invalid API key.");
            }
            working(key);
            return new Identity(key.keyId(), key.permission(), key.deviceIds(), key.rateLimit(), false);
        });
    }

    private static void working(KeyRecord key) {
        if (key.revoked()) {
            throw ApiException.unauthorized("API key has been revoked.");
        }
        if (key.expiredAt(Instant.now())) {
            throw ApiException.unauthorized("API key has expired.");
        }
    }

    private static String credential(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String value = authorization.substring(7).trim();
            return value.isEmpty() ? null : value;
        }
        String header = request.getHeader("X-API-Key");
        return header == null || header.isBlank() ? null : header.trim();
    }

    private static void refuseKeyInQuery(HttpServerRequest request) {
        if (request.query() == null) {
            return;
        }
        for (Map.Entry<String, String> parameter : request.params()) {
            if (KEY_PARAMETERS.contains(parameter.getKey().toLowerCase()) || parameter.getValue().startsWith("swk_")) {
                throw ApiException.badRequest(
                        "API keys are not accepted in the query string. Use Authorization: Bearer <key> or X-API-Key header.");
            }
        }
    }

    /** The permission the route needs, or null for an {@link Open} route. */
    private static Permission requirement(ResourceInfo resource) {
        if (annotation(resource, Open.class) != null) {
            return null;
        }
        Requires requires = annotation(resource, Requires.class);
        return requires == null ? Permission.ADMIN : requires.value();
    }

    private static String limitClass(ResourceInfo resource) {
        RateLimited limited = annotation(resource, RateLimited.class);
        return limited == null ? "default" : limited.value();
    }

    private static <A extends java.lang.annotation.Annotation> A annotation(ResourceInfo resource, Class<A> type) {
        A found = resource.getResourceMethod() == null ? null : resource.getResourceMethod().getAnnotation(type);
        if (found == null && resource.getResourceClass() != null) {
            found = resource.getResourceClass().getAnnotation(type);
        }
        return found;
    }
}
