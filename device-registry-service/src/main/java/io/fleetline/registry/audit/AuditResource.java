package io.fleetline.registry.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.api.Envelope;
import io.fleetline.commons.api.Paging;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.auth.Requires;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code GET /api/v1/audit?since=&actor=&offset=&limit=} (admin): the registry's audit trail (keys,
 * devices, configuration, commands), newest first.
 */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Permission.ADMIN)
public class AuditResource {

    /** Entries per answer when the request names no limit. */
    private static final int DEFAULT_LIMIT = 100;
    /** The most entries one answer holds; a larger limit is clamped to it. */
    private static final int MAX_LIMIT = 1000;
    /** The filters of the count and of the page: {@code since} ($1) and {@code actor} ($2). */
    private static final String WHERE = " WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::text IS NULL OR actor = $2)";

    private final Pool pool;

    AuditResource(Pool pool) {
        this.pool = pool;
    }

    @GET
    public Uni<Envelope> list(@QueryParam("since") String since, @QueryParam("actor") String actor,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        OffsetDateTime from = since == null ? null : instant(since).atOffset(ZoneOffset.UTC);
        Paging paging = Paging.of(offset, limit, DEFAULT_LIMIT, MAX_LIMIT);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM registry.audit_log" + WHERE)
                .execute(Tuple.of(from, actor))
                .map(rows -> rows.iterator().next().getLong(0));
        Uni<List<Entry>> page = pool.preparedQuery("SELECT id, at, actor, action, target, outcome, detail"
                + " FROM registry.audit_log" + WHERE + " ORDER BY at DESC, id DESC OFFSET $3 LIMIT $4")
                .execute(Tuple.of(from, actor, paging.offset(), paging.limit()))
                .map(result -> {
                    List<Entry> entries = new ArrayList<>();
                    result.forEach(row -> entries.add(from(row)));
                    return entries;
                });
        return Uni.combine().all().unis(page, total).with(paging::page);
    }

    private static Instant instant(String value) {
        try {
            return value.matches("\\d+") ? Instant.ofEpochMilli(Long.parseLong(value)) : OffsetDateTime.parse(value).toInstant();
        } catch (RuntimeException e) {
            throw ApiException.invalidField("since", "must be an RFC 3339 timestamp with an offset, or epoch milliseconds.");
        }
    }

    private static Entry from(Row row) {
        JsonObject detail = row.getJsonObject("detail");
        return new Entry(row.getLong("id"), row.getOffsetDateTime("at").toInstant(), row.getString("actor"),
                row.getString("action"), row.getString("target"), row.getString("outcome"),
                detail == null ? null : detail.getMap());
    }

    /** One audited change. */
    public record Entry(long id, Instant at, String actor, String action, String target, String outcome,
            Map<String, Object> detail) {
    }
}
