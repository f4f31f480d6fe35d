package io.fleetline.registry.api;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.RateLimited;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.config.RegistryConfig;
import io.fleetline.registry.domain.CommandRules;
import io.fleetline.registry.domain.CommandStatus;
import io.fleetline.registry.messaging.DeviceMessageRelay;
import io.fleetline.registry.store.CommandStore;
import io.fleetline.registry.store.DeviceStore;
import io.smallrye.mutiny.Uni;

/** {@code /api/v1/devices/{id}/commands}: send a command and follow its lifecycle. */
@Path("/api/v1/devices/{id}/commands")
@Produces(MediaType.APPLICATION_JSON)
public class CommandResource {

    private final CommandStore commands;
    private final Bodies bodies;
    private final Outbox outbox;
    private final DeviceMessageRelay relay;
    private final RegistryConfig config;

    CommandResource(CommandStore commands, Bodies bodies, Outbox outbox, DeviceMessageRelay relay,
            RegistryConfig config) {
        this.commands = commands;
        this.bodies = bodies;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    @RateLimited(RateLimited.COMMANDS)
    public Uni<Response> create(@PathParam("id") String id, String body) throws JsonProcessingException {
        var request = CommandRules.request(bodies.parse(body), (int) config.defaultCommandTtl().toSeconds());
        return commands.create(id, request)
                .invoke(() -> {
                    outbox.relayNow();
                    relay.relayNow();
                })
                .map(command -> Response.created(URI.create("/api/v1/devices/" + id + "/commands/" + command.commandId()))
                        .entity(Envelope.ok(command).with("message", "Command stored; it is sent while the device is online."))
                        .build());
    }

    @GET
    @Requires(Permission.READ)
    public Uni<Envelope> list(@PathParam("id") String id, @QueryParam("status") String status,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        Paging paging = Paging.of(offset, limit, config.defaultPageSize(), config.maxPageSize());
        CommandStatus filter = null;
        if (status != null && !status.isEmpty()) {
            filter = CommandStatus.fromWire(status);
            if (filter == null) {
                throw ApiException.invalidField("status", "must be one of pending, sent, delivered, succeeded, failed, expired.");
            }
        }
        return commands.list(id, filter, paging.offset(), paging.limit())
                .map(page -> paging.page(page.items(), page.total()));
    }

    @GET
    @Path("{commandId}")
    @Requires(Permission.READ)
    public Uni<Envelope> get(@PathParam("id") String id, @PathParam("commandId") String commandId) {
        return commands.get(id, commandId)
                .onItem().ifNull().switchTo(() -> commands.deviceExists(id).map(exists -> {
                    throw exists
                            ? ApiException.notFound("Command '" + commandId + "' not found.")
                            : DeviceStore.notFound(id);
                }))
                .map(Envelope::ok);
    }
}
