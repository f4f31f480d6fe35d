package io.fleetline.telemetry.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.RateLimited;
import io.fleetline.commons.auth.Requires;
import io.fleetline.commons.http.BodyLimit;
import io.fleetline.commons.readings.IncomingReading;
import io.fleetline.commons.readings.ReadingBatcher;
import io.fleetline.commons.readings.ReadingParser;
import io.fleetline.commons.readings.ReadingRejectedException;
import io.fleetline.commons.readings.ReadingWriter;
import io.fleetline.commons.readings.ReadingWriter.Status;
import io.fleetline.telemetry.ingest.BulkReadings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * HTTP ingest, the devices' fallback path: one reading per request, or up to 1,000 readings of
 * one device all or nothing. Every answer is sent after the commit. Single readings of concurrent
 * requests are committed together ({@link ReadingBatcher}, as the MQTT path does); a bulk request
 * is its own transaction.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class IngestResource {

    private final ReadingWriter writer;
    private final ReadingBatcher batcher;
    private final long maxBulkBytes;
    private final Counter stored;

    IngestResource(ReadingWriter writer, ReadingBatcher batcher, BodyLimit.HttpLimits limits, MeterRegistry meters) {
        this.writer = writer;
        this.batcher = batcher;
        this.maxBulkBytes = limits.maxBodySize().asLongValue();
        this.stored = Counter.builder("fleetline_ingest_readings").tag("source", "http")
                .description("Readings stored").register(meters);
    }

    /** Stores one reading: 201 when new, 200 with the stored reading when its key was seen before. */
    @POST
    @Path("/v1/devices/{id}/data")
    @Requires(Permission.WRITE)
    @RateLimited(RateLimited.INGEST)
    public Uni<Response> ingestOne(@PathParam("id") String deviceId, byte[] body) {
        IncomingReading reading;
        try {
            reading = ReadingParser.parse(deviceId, body == null ? new byte[0] : body, Instant.now());
        } catch (ReadingRejectedException e) {
            return Uni.createFrom().failure(e.toApiException());
        }
        return batcher.submit(reading).map(outcome -> {
            if (outcome.status() == Status.STORED) {
                stored.increment();
            }
            if (outcome.status() == Status.UNKNOWN_DEVICE) {
                throw notFound(deviceId);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("id", outcome.id());
            data.put("ts", outcome.ts().toString());
            if (outcome.status() == Status.DUPLICATE) {
                return Response.ok(Envelope.ok(data)
                        .with("message", "Duplicate reading: it was already stored and is returned unchanged.")).build();
            }
            return Response.status(201).entity(Envelope.ok(data).with("message", "Reading stored.")).build();
        });
    }

    /** Stores up to 1,000 readings of one device in one transaction. */
    @POST
    @Path("/v1/ingest")
    @Requires(Permission.WRITE)
    @RateLimited(RateLimited.INGEST)
    public Uni<Response> ingestBulk(byte[] body) {
        if (body != null && body.length > maxBulkBytes) {
            return Uni.createFrom().failure(ApiException.payloadTooLarge("Request body exceeds " + maxBulkBytes + " bytes."));
        }
        List<IncomingReading> readings;
        try {
            readings = BulkReadings.parse(body == null ? new byte[0] : body, Instant.now());
        } catch (ApiException e) {
            return Uni.createFrom().failure(e);
        }
        String deviceId = readings.get(0).deviceId();
        return writer.write(readings).map(result -> {
            stored.increment(result.stored().size());
            if (result.outcomes().get(0).status() == Status.UNKNOWN_DEVICE) {
                throw notFound(deviceId);
            }
            long duplicates = result.outcomes().stream().filter(o -> o.status() == Status.DUPLICATE).count();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("device_id", deviceId);
            data.put("count", readings.size());
            data.put("stored", result.stored().size());
            data.put("duplicates", duplicates);
            return Response.status(201).entity(Envelope.ok(data)
                    .with("message", readings.size() + " readings accepted.")).build();
        });
    }

    /** The unversioned alias that clients of the classic API call. */
    @POST
    @Path("/devices/ingest")
    @Requires(Permission.WRITE)
    @RateLimited(RateLimited.INGEST)
    public Uni<Response> ingestBulkClassic(byte[] body) {
        return ingestBulk(body);
    }

    private static ApiException notFound(String deviceId) {
        return ApiException.notFound("Device '" + deviceId + "' not found.");
    }
}
