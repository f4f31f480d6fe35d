package io.fleetline.commons.health;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fleetline.commons.api.Envelope;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.json.JsonObject;

/** {@code GET /api/v1/health}: the readiness of the service in the envelope, without authentication. */
@Path("/api/v1/health")
public class HealthResource {

    private final SmallRyeHealthReporter reporter;
    private final String service;

    HealthResource(SmallRyeHealthReporter reporter, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.reporter = reporter;
        this.service = service;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> health() {
        return reporter.getReadinessAsync().map(health -> {
            if (!health.isDown()) {
                return Response.ok(new Status("ok", service)).build();
            }
            List<String> failing = health.getPayload().getJsonArray("checks").stream()
                    .map(JsonObject.class::cast)
                    .filter(check -> "DOWN".equals(check.getString("status")))
                    .map(check -> check.getString("name"))
                    .toList();
            return Response.status(503)
                    .entity(Envelope.error(503, "Not ready: " + String.join(", ", failing) + ".")
                            .with("service", service))
                    .build();
        });
    }

    /** The healthy answer. */
    public record Status(String status, String service) {
    }
}
