package io.fleetline.webhooks.messaging;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.webhooks.config.WebhooksConfig;
import io.fleetline.webhooks.domain.AddressPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Sends one webhook POST with the Vert.x HTTP client: checks the address actually connected to
 * against the {@link AddressPolicy} before a byte is written (DNS rebinding cannot reach an
 * internal address), never follows redirects, bounds the whole exchange by the request timeout
 * and keeps the first 2 KiB of the answer.
 */
@ApplicationScoped
public class WebhookSender {

    /** How much of a response body is kept for the delivery log. */
    public static final int BODY_KEPT = 2048;

    private final HttpClient client;
    private final AddressPolicy policy;
    private final Duration timeout;

    WebhookSender(Vertx vertx, WebhooksConfig config, AddressPolicy policy) {
        this.policy = policy;
        this.timeout = config.requestTimeout();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.requestTimeout().toMillis())
                .setKeepAlive(true)
                // Pools are per host and port, and endpoints share hosts (every Discord webhook is
                // discord.com): the per-endpoint limit is the worker's, the pool only caps the replica.
                .setMaxPoolSize(config.maxInFlight())
                .setTryUseCompression(false));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** POSTs {@code body} with {@code headers} to {@code url}; fails only on transport errors, refusals and timeouts. */
    public Uni<Response> post(URI url, Map<String, String> headers, byte[] body) {
        AtomicReference<HttpClientRequest> current = new AtomicReference<>();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url.toString())
                .setIdleTimeout(timeout.toMillis());
        Future<Response> exchange = client.request(options).compose(request -> {
            current.set(request);
            // Failures reach the caller through the returned future; without a handler Vert.x would also log them.
            request.exceptionHandler(ignored -> {
            });
            String remote = request.connection().remoteAddress().hostAddress();
            if (!allowed(remote)) {
                request.reset();
                return Future.failedFuture(new RefusedAddress(remote));
            }
            headers.forEach(request::putHeader);
            return request.send(Buffer.buffer(body)).compose(WebhookSender::read);
        });
        return Uni.createFrom().completionStage(exchange.toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer within " + timeout.toMillis() + " ms"))
                .onFailure(TimeoutException.class).invoke(() -> {
                    HttpClientRequest request = current.get();
                    if (request != null) {
                        request.reset();
                    }
                });
    }

    private boolean allowed(String hostAddress) {
        try {
            // hostAddress is the numeric address of the open socket: no name lookup happens here.
            return policy.allows(InetAddress.getByName(hostAddress));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Future<Response> read(HttpClientResponse response) {
        Promise<Response> done = Promise.promise();
        Buffer kept = Buffer.buffer();
        response.handler(chunk -> {
            int room = BODY_KEPT - kept.length();
            if (room > 0) {
                kept.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
            }
        });
        response.exceptionHandler(done::tryFail);
        response.endHandler(end -> done.tryComplete(new Response(response.statusCode(), kept.toString(),
                response.getHeader("Retry-After"))));
        return done.future();
    }

    /** What the receiver answered: status, the first 2 KiB of the body, and its {@code Retry-After}. */
    public record Response(int status, String body, String retryAfter) {
    }

    /** The connection went to an address the policy refuses. */
    public static final class RefusedAddress extends RuntimeException {

        RefusedAddress(String address) {
            super("refused: connected address " + address + " is not allowed", null, false, false);
        }
    }
}
