package io.fleetline.registry.auth;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Caller;
import io.fleetline.commons.auth.Open;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.RateLimited;
import io.fleetline.commons.auth.Requires;

/** Routes that exist only in the tests: one per permission, a device-scoped one and limited ones. */
@Path("/api/v1/test-access")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeRoutes {

    private final Caller caller;

    ProbeRoutes(Caller caller) {
        this.caller = caller;
    }

    @GET
    @Requires(Permission.READ)
    public Envelope read() {
        return Envelope.ok(caller.keyId());
    }

    @POST
    @Requires(Permission.WRITE)
    public Envelope write() {
        return Envelope.ok(caller.keyId());
    }

    @DELETE
    @Requires(Permission.ADMIN)
    public Envelope admin() {
        return Envelope.ok(caller.keyId());
    }

    @GET
    @Path("/undeclared")
    public Envelope undeclared() {
        return Envelope.ok("reached");
    }

    @GET
    @Path("/devices/{id}")
    @Requires(Permission.READ)
    public Envelope device(@PathParam("id") String id) {
        caller.requireDevice(id);
        return Envelope.ok(id);
    }

    @GET
    @Path("/limited")
    @Requires(Permission.READ)
    @RateLimited("probe")
    public Envelope limited() {
        return Envelope.ok("limited");
    }

    @GET
    @Path("/open-limited")
    @Open
    @RateLimited("probe")
    public Envelope openLimited() {
        return Envelope.ok("open");
    }
}
