package io.fleetline.webhooks.api;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.auth.Open;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.webhooks.config.WebhooksConfig;
import io.fleetline.webhooks.domain.Endpoint;
import io.fleetline.webhooks.messaging.DeliveryWorker;
import io.fleetline.webhooks.store.DeliveryStore;
import io.fleetline.webhooks.store.EndpointStore;
import io.smallrye.mutiny.Uni;

/** Webhook endpoints, their secrets, test pings and delivery log ({@code /api/v1/webhooks}). */
@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    /** Deliveries per page when the request names no limit. */
    private static final int DEFAULT_DELIVERIES = 50;
    /** The most deliveries one page holds; a larger limit is clamped to it. */
    private static final int MAX_DELIVERIES = 500;
    private static final Set<String> STATES = Set.of("pending", "delivering", "succeeded", "retrying", "failed", "dead");

    private final EndpointStore endpoints;
    private final DeliveryStore deliveries;
    private final DeliveryWorker worker;
    private final UrlGuard guard;
    private final InboundReceiver inbound;
    private final WebhooksConfig config;
    private final ObjectMapper json;

    WebhookResource(EndpointStore endpoints, DeliveryStore deliveries, DeliveryWorker worker, UrlGuard guard,
            InboundReceiver inbound, WebhooksConfig config, ObjectMapper json) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.worker = worker;
        this.guard = guard;
        this.inbound = inbound;
        this.config = config;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    public Uni<Response> create(JsonNode body) {
        Endpoint endpoint = EndpointInput.create(body);
        String secret = WebhookSignatures.newSecret();
        return guard.check(endpoint.url())
                .chain(() -> endpoints.insert(endpoint, secret))
                .map(created -> Response.created(URI.create("/api/v1/webhooks/" + created.id()))
                        .entity(Envelope.ok(withSecret(created, secret))
                                .with("message", "Webhook created. Store the secret now: it is not shown again."))
                        .build());
    }

    @GET
    @Requires(Permission.WRITE)
    public Uni<Envelope> list() {
        return endpoints.list().map(Envelope::list);
    }

    @GET
    @Path("{id}")
    @Requires(Permission.WRITE)
    public Uni<Envelope> get(@PathParam("id") String id) {
        return existing(id).map(Envelope::ok);
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    public Uni<Envelope> update(@PathParam("id") String id, JsonNode body) {
        return existing(id).chain(current -> {
            Endpoint changed = EndpointInput.apply(current, body);
            Uni<Void> checked = changed.url().equals(current.url()) ? Uni.createFrom().voidItem() : guard.check(changed.url());
            return checked.chain(() -> endpoints.update(changed));
        })
                .onItem().ifNull().failWith(() -> notFound(id))
                .invoke(updated -> {
                    if (updated.enabled()) {
                        worker.nudge();
                    }
                })
                .map(Envelope::ok);
    }

    @DELETE
    @Path("{id}")
    @Requires(Permission.WRITE)
    public Uni<Envelope> delete(@PathParam("id") String id) {
        return endpoints.delete(id).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return Envelope.ok(null).with("message", "Webhook '" + id + "' deleted with its deliveries.");
        });
    }

    @POST
    @Path("{id}/rotate-secret")
    @Requires(Permission.WRITE)
    public Uni<Envelope> rotate(@PathParam("id") String id) {
        String secret = WebhookSignatures.newSecret();
        Instant until = Instant.now().plus(config.rotationOverlap());
        return endpoints.rotate(id, secret, config.rotationOverlap()).map(rotated -> {
            if (!rotated) {
                throw notFound(id);
            }
            return Envelope.ok(Map.of("id", id, "secret", secret, "previous_secret_expires_at", until))
                    .with("message", "Secret rotated. The previous secret keeps signing until "
                            + until + "; store the new one now: it is not shown again.");
        });
    }

    @POST
    @Path("{id}/test")
    @Requires(Permission.WRITE)
    public Uni<Response> test(@PathParam("id") String id) {
        PlatformEvent ping = PlatformEvent.of(EventType.PING, null, Severity.INFO, "Test event from Fleetline.")
                .withMetadata(Map.of("webhook_id", id));
        return existing(id)
                .chain(endpoint -> deliveries.ping(id, ping.eventId(), bytes(ping)))
                .invoke(worker::nudge)
                .map(deliveryId -> Response.accepted(Envelope.ok(Map.of("delivery_id", deliveryId,
                        "event_id", ping.eventId())).with("message", "Ping queued.")).build());
    }

    @GET
    @Path("{id}/deliveries")
    @Requires(Permission.WRITE)
    public Uni<Envelope> deliveries(@PathParam("id") String id, @QueryParam("status") String status,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        if (status != null && !STATES.contains(status)) {
            throw ApiException.invalidField("status", "must be one of pending, delivering, succeeded, retrying, failed, dead");
        }
        Paging paging = Paging.of(offset, limit, DEFAULT_DELIVERIES, MAX_DELIVERIES);
        return existing(id).chain(endpoint -> deliveries.list(id, status, paging));
    }

    @GET
    @Path("{id}/deliveries/{delivery_id}")
    @Requires(Permission.WRITE)
    public Uni<Envelope> delivery(@PathParam("id") String id, @PathParam("delivery_id") String deliveryId) {
        return deliveries.find(id, deliveryId)
                .onItem().ifNull().failWith(() -> ApiException.notFound(
                        "Delivery '" + deliveryId + "' of webhook '" + id + "' not found."))
                .map(Envelope::ok);
    }

    @POST
    @Path("{id}/deliveries/{delivery_id}/redeliver")
    @Requires(Permission.WRITE)
    public Uni<Response> redeliver(@PathParam("id") String id, @PathParam("delivery_id") String deliveryId) {
        return deliveries.redeliver(id, deliveryId).map(before -> {
            if (before.equals("missing")) {
                throw ApiException.notFound("Delivery '" + deliveryId + "' of webhook '" + id + "' not found.");
            }
            if (before.equals("delivering")) {
                throw ApiException.conflict("Delivery '" + deliveryId + "' is being sent right now; try again shortly.");
            }
            worker.nudge();
            return Response.accepted(Envelope.ok(Map.of("delivery_id", deliveryId, "state", "pending"))
                    .with("message", "Redelivery queued with fresh signatures.")).build();
        });
    }

    /** The inbound receiver under the API prefix; the signature is the authentication. */
    @POST
    @Path("inbound")
    @Open
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> inbound(HttpHeaders headers, byte[] body) {
        return inbound.receive(headers, body);
    }

    private Uni<Endpoint> existing(String id) {
        return endpoints.find(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("Webhook '" + id + "' not found.");
    }

    private ObjectNode withSecret(Endpoint endpoint, String secret) {
        ObjectNode node = json.valueToTree(endpoint);
        node.put("secret", secret);
        return node;
    }

    private byte[] bytes(PlatformEvent event) {
        try {
            return json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A ping cannot be serialized", e);
        }
    }
}
