package io.fleetline.registry.keys;

import java.net.URI;
import java.time.Duration;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Caller;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.registry.auth.AccessConfig;
import io.smallrye.mutiny.Uni;

/** {@code /api/v1/keys} (admin): create, list, revoke and rotate API keys. */
@Path("/api/v1/keys")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Permission.ADMIN)
public class KeyResource {

    private static final long MAX_GRACE_S = Duration.ofDays(30).toSeconds();
    private static final String SHOWN_ONCE = "Store this key now: it is shown only once.";

    private final KeyStore keys;
    private final Caller caller;
    private final ObjectMapper json;
    private final Duration defaultGrace;

    KeyResource(KeyStore keys, Caller caller, ObjectMapper json,
            AccessConfig access) {
        this.keys = keys;
        this.caller = caller;
        this.json = json;
        this.defaultGrace = access.rotationGrace();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(String body) throws JsonProcessingException {
        String actor = caller.keyId();
        NewKey request;
        try {
            request = NewKey.from(parse(body));
        } catch (ApiException e) {
            return keys.auditFailure(actor, "key.create", null, e.getMessage()).chain(() -> Uni.createFrom().failure(e));
        }
        return keys.create(request, actor)
                .map(issued -> Response.created(URI.create("/api/v1/keys/" + issued.keyId()))
                        .entity(Envelope.ok(issued).with("message", SHOWN_ONCE))
                        .build());
    }

    @GET
    public Uni<Envelope> list() {
        return keys.list().map(Envelope::list);
    }

    @DELETE
    @Path("/{key_id}")
    public Uni<Response> revoke(@PathParam("key_id") String keyId) {
        String actor = caller.keyId();
        return keys.revoke(keyId, actor)
                .onFailure(ApiException.class).call(e -> keys.auditFailure(actor, "key.revoke", keyId, e.getMessage()))
                .replaceWith(Response.noContent().build());
    }

    @POST
    @Path("/{key_id}/rotate")
    public Uni<Response> rotate(@PathParam("key_id") String keyId, String body) throws JsonProcessingException {
        String actor = caller.keyId();
        long grace;
        try {
            grace = grace(body);
        } catch (ApiException e) {
            return keys.auditFailure(actor, "key.rotate", keyId, e.getMessage()).chain(() -> Uni.createFrom().failure(e));
        }
        return keys.rotate(keyId, grace, actor)
                .onFailure(ApiException.class).call(e -> keys.auditFailure(actor, "key.rotate", keyId, e.getMessage()))
                .map(issued -> Response.created(URI.create("/api/v1/keys/" + issued.keyId()))
                        .entity(Envelope.ok(issued).with("message", SHOWN_ONCE + " The old key works for "
                                + grace + " more seconds."))
                        .build());
    }

    private long grace(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            return defaultGrace.toSeconds();
        }
        JsonNode node = parse(body);
        JsonNode grace = node.get("grace_s");
        if (!node.isObject() || node.size() > (grace == null ? 0 : 1)) {
            throw ApiException.badRequest("Request body must be a JSON object with at most the field 'grace_s'.");
        }
        if (grace == null || grace.isNull()) {
            return defaultGrace.toSeconds();
        }
        if (!grace.isIntegralNumber() || grace.asLong() < 0 || grace.asLong() > MAX_GRACE_S) {
            throw ApiException.invalidField("grace_s", "must be an integer from 0 to " + MAX_GRACE_S + " (seconds).");
        }
        return grace.asLong();
    }

    private JsonNode parse(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("Request body must be a JSON object.");
        }
        return json.readTree(body);
    }
}
