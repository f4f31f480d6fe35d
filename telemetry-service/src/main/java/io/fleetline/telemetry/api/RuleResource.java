package io.fleetline.telemetry.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

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

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.events.Ids;
import io.fleetline.commons.rules.Rule;
import io.fleetline.telemetry.domain.RuleDrafts;
import io.fleetline.telemetry.store.RuleStore;
import io.smallrye.mutiny.Uni;

/** Alert rules: {@code /api/v1/rules} (class path {@code /api}, shared with the other telemetry resources). Evaluation happens in the readings writer (RuleEvaluator). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class RuleResource {

    /** Rules per page when the request names no limit. */
    private static final int DEFAULT_LIMIT = 100;
    /** The most rules one page holds; a larger limit is clamped to it. */
    private static final int MAX_LIMIT = 1000;

    private final RuleStore store;

    RuleResource(RuleStore store) {
        this.store = store;
    }

    @POST
    @Path("/v1/rules")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Permission.WRITE)
    public Uni<RestResponse<Envelope>> create(JsonNode body) {
        Rule rule = RuleDrafts.create(body, Ids.next("rule_"), now());
        Uni<Boolean> deviceKnown = rule.deviceId() == null ? Uni.createFrom().item(true)
                : store.deviceExists(rule.deviceId());
        return deviceKnown
                .invoke(known -> {
                    if (!known) {
                        throw ApiException.notFound("Device '" + rule.deviceId() + "' not found.");
                    }
                })
                .chain(() -> store.insert(rule))
                .map(stored -> RestResponse.status(RestResponse.Status.CREATED,
                        Envelope.ok(stored).with("message", "Rule created.")));
    }

    @GET
    @Path("/v1/rules")
    @Requires(Permission.READ)
    public Uni<Envelope> list(@QueryParam("device_id") String deviceId, @QueryParam("device_type") String deviceType,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        Paging paging = Paging.of(offset, limit, DEFAULT_LIMIT, MAX_LIMIT);
        return Uni.combine().all()
                .unis(store.list(deviceId, deviceType, paging.offset(), paging.limit()), store.count(deviceId, deviceType))
                .with(paging::page);
    }

    @GET
    @Path("/v1/rules/{id}")
    @Requires(Permission.READ)
    public Uni<Envelope> get(@PathParam("id") String id) {
        return store.find(id)
                .onItem().ifNull().failWith(() -> notFound(id))
                .map(Envelope::ok);
    }

    @PATCH
    @Path("/v1/rules/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @Requires(Permission.WRITE)
    public Uni<Envelope> patch(@PathParam("id") String id, JsonNode body) {
        Instant now = now();
        // a device named by the patch must exist before anything changes
        String newDevice = body != null && body.hasNonNull("device_id") && body.get("device_id").isTextual()
                ? body.get("device_id").textValue() : null;
        Uni<Boolean> deviceKnown = newDevice == null ? Uni.createFrom().item(true) : store.deviceExists(newDevice);
        return deviceKnown
                .invoke(known -> {
                    if (!known) {
                        throw ApiException.notFound("Device '" + newDevice + "' not found.");
                    }
                })
                .chain(() -> store.update(id, stored -> RuleDrafts.patch(stored, body, now), RuleDrafts::resetsState))
                .onItem().ifNull().failWith(() -> notFound(id))
                .map(rule -> Envelope.ok(rule).with("message", "Rule updated."));
    }

    @DELETE
    @Path("/v1/rules/{id}")
    @Requires(Permission.WRITE)
    public Uni<Envelope> delete(@PathParam("id") String id) {
        return store.delete(id)
                .invoke(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                })
                .map(deleted -> Envelope.ok(null).with("message", "Rule '" + id + "' deleted."));
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("Rule '" + id + "' not found.");
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
