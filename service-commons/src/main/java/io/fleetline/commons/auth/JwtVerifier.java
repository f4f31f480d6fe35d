package io.fleetline.commons.auth;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.fleetline.commons.api.ApiException;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Verifies the registry's JWTs (RS256) with smallrye-jwt against the registry's public key
 * ({@code fleetline.auth.jwt-public-key-file}, read once, without blocking) and the issuer
 * {@code mp.jwt.verify.issuer}; expiry and signature are checked by the parser.
 */
@ApplicationScoped
public class JwtVerifier {

    private static final Logger LOG = Logger.getLogger(JwtVerifier.class);
    static final String INVALID = "Invalid or expired token.";

    private final JWTParser parser;
    private final Vertx vertx;
    private final AuthConfig config;
    private volatile PublicKey publicKey;

    JwtVerifier(JWTParser parser, Vertx vertx, AuthConfig config) {
        this.parser = parser;
        this.vertx = vertx;
        this.config = config;
    }

    /** The identity in {@code token}, or a 401 when it is not a valid token of the registry. */
    public Uni<Identity> verify(String token) {
        return key().map(key -> {
            try {
                JsonWebToken jwt = parser.verify(token, key);
                List<String> groups = new ArrayList<>(jwt.getGroups());
                if (jwt.getSubject() == null || groups.isEmpty()) {
                    throw ApiException.unauthorized(INVALID);
                }
                return new Identity(jwt.getSubject(), KeyRecord.highest(groups.toArray(String[]::new)),
                        deviceIds(jwt.getClaim("device_ids")), null, true);
            } catch (ParseException | IllegalArgumentException e) {
                throw ApiException.unauthorized(INVALID);
            }
        });
    }

    private Uni<PublicKey> key() {
        PublicKey known = publicKey;
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return vertx.fileSystem().readFile(config.jwtPublicKeyFile().toString())
                .map(pem -> {
                    try {
                        publicKey = KeyUtils.decodePublicKey(pem.toString());
                        return publicKey;
                    } catch (Exception e) {
                        throw new IllegalStateException("Unreadable JWT public key", e);
                    }
                })
                .onFailure().transform(failure -> {
                    LOG.warnf("JWTs cannot be verified: no public key at %s (%s)",
                            config.jwtPublicKeyFile(), failure.getMessage());
                    return ApiException.unauthorized(INVALID);
                });
    }

    private static List<String> deviceIds(Object claim) {
        if (claim == null) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        if (claim instanceof Iterable<?> values) {
            for (Object value : values) {
                ids.add(value instanceof jakarta.json.JsonString json ? json.getString() : String.valueOf(value));
            }
        }
        return ids;
    }
}
