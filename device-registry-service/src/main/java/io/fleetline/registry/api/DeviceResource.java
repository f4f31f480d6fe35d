package io.fleetline.registry.api;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.RateLimited;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.config.RegistryConfig;
import io.fleetline.registry.domain.DeviceRules;
import io.fleetline.registry.messaging.DeviceMessageRelay;
import io.fleetline.registry.store.DeviceCredentials;
import io.fleetline.registry.store.DeviceStore;
import io.fleetline.registry.store.DeviceStore.Registered;
import io.smallrye.mutiny.Uni;

/** {@code /api/v1/devices}: register, list, show, edit and delete devices, and their shadow. */
@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
public class DeviceResource {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private final DeviceStore devices;
    private final CommandResource commands;
    private final Bodies bodies;
    private final Outbox outbox;
    private final DeviceMessageRelay relay;
    private final RegistryConfig config;
    private final DeviceCredentials credentials;
    private final ObjectMapper json;

    DeviceResource(DeviceStore devices, CommandResource commands, Bodies bodies, Outbox outbox,
            DeviceMessageRelay relay, RegistryConfig config, DeviceCredentials credentials, ObjectMapper json) {
        this.credentials = credentials;
        this.json = json;
        this.devices = devices;
        this.commands = commands;
        this.bodies = bodies;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    public Uni<Response> register(String body) throws JsonProcessingException {
        var request = DeviceRules.registration(bodies.parse(body));
        return devices.register(request)
                .invoke(this::relayAfterCommit)
                .map(registered -> Response.created(URI.create("/api/v1/devices/" + request.deviceId()))
                        .entity(answer(registered)).build());
    }

    /**
     * Issues a new broker password to the device (the old one stops working at once and a
     * connected device is disconnected) and shows it once.
     */
    @POST
    @Path("{id}/credentials/rotate")
    @Requires(Permission.ADMIN)
    public Uni<Envelope> rotateCredentials(@PathParam("id") String id) {
        if (!credentials.enabled()) {
            throw ApiException.conflict("The MQTT broker accepts devices without credentials; there is nothing to rotate.");
        }
        return devices.rotateCredentials(id)
                .invoke(this::relayAfterCommit)
                .map(issued -> Envelope.ok(issued).with("message", "MQTT password rotated; it is shown only once."));
    }

    @GET
    @Requires(Permission.READ)
    public Uni<Envelope> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
            @QueryParam("type") String type, @QueryParam("location") String location,
            @QueryParam("connectivity") String connectivity) {
        Paging paging = Paging.of(offset, limit, config.defaultPageSize(), config.maxPageSize());
        if (connectivity != null && !DeviceRules.CONNECTIVITY.contains(connectivity)) {
            throw ApiException.invalidField("connectivity", "must be one of unknown, online, offline.");
        }
        return devices.list(type, location, connectivity, paging.offset(), paging.limit())
                .map(page -> paging.page(page.items(), page.total()));
    }

    @GET
    @Path("{id}")
    @Requires(Permission.READ)
    public Uni<Envelope> get(@PathParam("id") String id) {
        return devices.get(id).map(Envelope::ok);
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MediaType.APPLICATION_JSON, MERGE_PATCH })
    @Requires(Permission.WRITE)
    public Uni<Envelope> edit(@PathParam("id") String id, String body) throws JsonProcessingException {
        var patch = DeviceRules.object(bodies.parse(body));
        return devices.edit(id, current -> DeviceRules.edit(current, patch)).map(Envelope::ok);
    }

    @DELETE
    @Path("{id}")
    @Requires(Permission.ADMIN)
    public Uni<Response> delete(@PathParam("id") String id) {
        return devices.delete(id)
                .invoke(this::relayAfterCommit)
                .map(done -> Response.noContent().build());
    }

    @GET
    @Path("{id}/shadow")
    @Requires(Permission.READ)
    public Uni<Envelope> shadow(@PathParam("id") String id) {
        return devices.shadow(id).map(Envelope::ok);
    }

    /** The singular alias of {@code POST /devices/{id}/commands}, kept for clients of the unversioned API. */
    @POST
    @Path("{id}/command")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    @RateLimited(RateLimited.COMMANDS)
    public Uni<Response> sendCommand(@PathParam("id") String id, String body) throws JsonProcessingException {
        return commands.create(id, body);
    }

    /** The registered device, with its broker account ({@code mqtt}) when the broker authenticates devices. */
    private Envelope answer(Registered registered) {
        if (registered.mqtt() == null) {
            return Envelope.ok(registered.device()).with("message", "Device registered.");
        }
        ObjectNode data = json.valueToTree(registered.device());
        data.set("mqtt", json.valueToTree(registered.mqtt()));
        return Envelope.ok(data).with("message", "Device registered. Its MQTT password is shown only once.");
    }

    private void relayAfterCommit() {
        outbox.relayNow();
        relay.relayNow();
    }
}
