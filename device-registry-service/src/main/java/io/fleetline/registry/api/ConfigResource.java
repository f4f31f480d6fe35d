package io.fleetline.registry.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.domain.DesiredConfig;
import io.fleetline.registry.domain.DeviceRules;
import io.fleetline.registry.domain.MergePatch;
import io.fleetline.registry.messaging.DeviceMessageRelay;
import io.fleetline.registry.store.DeviceStore;
import io.smallrye.mutiny.Uni;

/**
 * {@code /api/v1/devices/{id}/config}: the desired configuration with {@code ETag: "<version>"}.
 * Writes honour {@code If-Match}; each change is published retained on {@code devices/{id}/config}.
 */
@Path("/api/v1/devices/{id}/config")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {

    private final DeviceStore devices;
    private final Bodies bodies;
    private final Outbox outbox;
    private final DeviceMessageRelay relay;

    ConfigResource(DeviceStore devices, Bodies bodies, Outbox outbox, DeviceMessageRelay relay) {
        this.devices = devices;
        this.bodies = bodies;
        this.outbox = outbox;
        this.relay = relay;
    }

    @GET
    @Requires(Permission.READ)
    public Uni<Response> get(@PathParam("id") String id) {
        return devices.config(id).map(ConfigResource::answer);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    public Uni<Response> replace(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            String body) throws JsonProcessingException {
        JsonNode replacement = DeviceRules.config(DeviceRules.object(bodies.parse(body)), "config");
        return change(id, ifMatch, current -> replacement);
    }

    @PATCH
    @Consumes(DeviceResource.MERGE_PATCH)
    @Requires(Permission.WRITE)
    public Uni<Response> patch(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            String body) throws JsonProcessingException {
        JsonNode patch = DeviceRules.object(bodies.parse(body));
        return change(id, ifMatch, current -> DeviceRules.config(MergePatch.apply(current, patch), "config"));
    }

    private Uni<Response> change(String id, String ifMatch, java.util.function.UnaryOperator<JsonNode> change) {
        return devices.changeConfig(id, expectedVersion(ifMatch), change)
                .invoke(() -> {
                    outbox.relayNow();
                    relay.relayNow();
                })
                .map(ConfigResource::answer);
    }

    private static Response answer(DesiredConfig desired) {
        return Response.ok(Envelope.ok(desired.config()).with("version", desired.version()))
                .header(HttpHeaders.ETAG, "\"" + desired.version() + "\"")
                .build();
    }

    /** The version an {@code If-Match} header names; null for none or {@code *}. */
    static Integer expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String tag = ifMatch.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        try {
            return Integer.valueOf(tag);
        } catch (NumberFormatException e) {
            throw ApiException.preconditionFailed("If-Match must name a config version such as \"3\".");
        }
    }
}
