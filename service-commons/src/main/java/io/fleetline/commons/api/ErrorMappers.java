package io.fleetline.commons.api;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.vertx.core.http.HttpServerRequest;

/**
 * The one exception-mapper family: every failure, ours or RESTEasy's, leaves as the error
 * envelope. Messages never carry internals; unexpected failures are logged with their trace.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder builder = envelope(e.status(), e.getMessage());
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, HttpServerRequest request) {
        return envelope(404, "No route for " + request.method() + " " + request.path() + ".").build();
    }

    private final AllowedMethods allowedMethods;

    ErrorMappers(AllowedMethods allowedMethods) {
        this.allowedMethods = allowedMethods;
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, HttpServerRequest request) {
        String allow = allowedMethods.allowedAt(request.path());
        return envelope(405, "Method " + request.method() + " is not allowed here. Allowed: " + allow + ".")
                .header(HttpHeaders.ALLOW, allow)
                .build();
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e) {
        return envelope(406, "No acceptable representation; this route answers application/json.").build();
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return envelope(415, "Unsupported content type '" + (type == null ? "" : type) + "'.").build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof MismatchedInputException mismatch) {
            return mismatchedInput(mismatch);
        }
        if (e.getCause() instanceof JsonProcessingException malformed) {
            return malformedJson(malformed);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return envelope(status, "Internal server error.").build();
        }
        return envelope(status, Response.Status.fromStatusCode(status) == null
                ? "Request failed."
                : Response.Status.fromStatusCode(status).getReasonPhrase() + ".").build();
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
        if (field == null) {
            return envelope(400, "Request body must be a JSON object of the documented shape.").build();
        }
        String rule = e instanceof InvalidFormatException ? "has an invalid value." : "has the wrong type.";
        return envelope(400, "Field '" + field + "' " + rule).build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return envelope(400, "Malformed JSON: " + e.getOriginalMessage()).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("Unexpected failure", e);
        return envelope(500, "Internal server error.").build();
    }

    /** The error envelope with its status, for mappers and filters alike. */
    public static Response.ResponseBuilder envelope(int status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Envelope.error(status, message));
    }
}
