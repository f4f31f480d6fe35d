package io.fleetline.webhooks.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

/** {@code POST /webhooks/iot}: the inbound receiver at the path other platforms already push to. */
@Path("/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class IotWebhookResource {

    private final InboundReceiver inbound;

    IotWebhookResource(InboundReceiver inbound) {
        this.inbound = inbound;
    }

    @POST
    @Path("iot")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> receive(HttpHeaders headers, byte[] body) {
        return inbound.receive(headers, body);
    }
}
