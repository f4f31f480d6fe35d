package io.fleetline.registry.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Caller;
import io.fleetline.commons.auth.Open;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.registry.keys.NewKey;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * {@code /api/v1/auth}: exchanges an API key for a short-lived JWT (RS256, {@code sub} = key id,
 * {@code groups} = permissions, {@code device_ids} = the key's scope) and publishes the public
 * key as a JWK set.
 */
@Path("/api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {

    private final SigningKeys signing;
    private final Caller caller;
    private final String issuer;
    private final Duration lifetime;

    TokenResource(SigningKeys signing, Caller caller, @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            AccessConfig access) {
        this.signing = signing;
        this.caller = caller;
        this.issuer = issuer;
        this.lifetime = access.tokenLifetime();
    }

    @POST
    @Path("/token")
    @Requires(Permission.READ)
    public Envelope token() {
        if (Caller.ANONYMOUS_ID.equals(caller.keyId())) {
            throw ApiException.badRequest("Tokens are issued only when access control is enabled (fleetline.auth.enabled).");
        }
        if (caller.viaToken()) {
            throw ApiException.forbidden("Tokens are issued for an API key, not for another token.");
        }
        Instant expires = Instant.now().plus(lifetime);
        JwtClaimsBuilder claims = Jwt.issuer(issuer)
                .subject(caller.keyId())
                .groups(Set.copyOf(NewKey.expand(caller.permission())))
                .expiresAt(expires);
        if (caller.deviceIds() != null) {
            claims.claim("device_ids", List.copyOf(caller.deviceIds()));
        }
        String token = claims.jws().keyId(signing.keyId()).algorithm(SignatureAlgorithm.RS256).sign(signing.privateKey());
        return Envelope.ok(new Token(token, "Bearer", lifetime.toSeconds(), expires));
    }

    /** The verification key; public, as JWK set clients expect it (not enveloped). */
    @GET
    @Path("/jwks")
    @Open
    public Map<String, List<Map<String, String>>> jwks() {
        return Map.of("keys", List.of(signing.jwk()));
    }

    /** An issued token. */
    public record Token(String accessToken, String tokenType, long expiresIn, Instant expiresAt) {
    }
}
