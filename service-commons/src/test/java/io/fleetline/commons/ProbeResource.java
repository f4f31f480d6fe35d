package io.fleetline.commons;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;

import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** A resource that exists only in the tests of the shared module, to exercise it through HTTP. */
@Path("/test")
public class ProbeResource {

    private final Pool pool;
    private final Outbox outbox;

    ProbeResource(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /** A body with one typed field, to provoke mapping errors. */
    public record Thing(String name, int size) {
    }

    @POST
    @Path("/things")
    @Consumes(MediaType.APPLICATION_JSON)
    public Envelope create(Thing thing) {
        return Envelope.ok(thing);
    }

    @GET
    @Path("/boom")
    public Envelope boom() {
        throw new IllegalStateException("secret internals at db.example:5432");
    }

    /** Writes a ping event in a transaction that commits, or that fails afterwards and rolls back. */
    @POST
    @Path("/outbox/{outcome}/{device}")
    public Uni<Envelope> outbox(@PathParam("outcome") String outcome, @PathParam("device") String device) {
        PlatformEvent event = PlatformEvent.of(EventType.PING, device, Severity.INFO, "probe");
        return pool.withTransaction(tx -> outbox.append(tx, event)
                .invoke(() -> {
                    if (outcome.equals("rollback")) {
                        throw new IllegalStateException("rolled back on purpose");
                    }
                }))
                .replaceWith(Envelope.ok(event.eventId()));
    }
}
