package io.fleetline.webhooks.messaging;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetline.commons.signing.WebhookSignatures;
import io.fleetline.webhooks.config.WebhooksConfig;
import io.fleetline.webhooks.domain.DiscordMessage;
import io.fleetline.webhooks.domain.Endpoint;
import io.fleetline.webhooks.domain.RetryPolicy;
import io.fleetline.webhooks.store.DeliveryStore;
import io.fleetline.webhooks.store.DeliveryStore.Claimed;
import io.fleetline.webhooks.store.DeliveryStore.Outcome;
import io.fleetline.webhooks.store.EndpointStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Sends due deliveries. Claims them in batches from PostgreSQL ({@code FOR UPDATE SKIP LOCKED},
 * so replicas never share an attempt), sends each signed over the exact bytes, and records the
 * attempt with the delivery's next state: success on 2xx; on failure a retry on the backoff
 * schedule (or the receiver's {@code Retry-After}, which also pauses the endpoint), a dead letter
 * past the give-up age; 410 or a day of failures disables the endpoint. In-flight attempts are
 * capped per endpoint and per replica, so a receiver that never answers only holds its own slots.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    /** How long nudges that arrive during a claim are gathered before the next claim. */
    private static final long REGATHER_MS = 5;

    private final DeliveryStore deliveries;
    private final EndpointStore endpoints;
    private final WebhookSender sender;
    private final RetryPolicy retries;
    private final WebhooksConfig config;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final String userAgent;
    private final Map<String, AtomicInteger> perEndpoint = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final MeterRegistry meters;
    private final Timer attemptDuration;
    private final Timer deliveryLatency;
    private final Counter deadLetters;
    private volatile boolean stopped;

    DeliveryWorker(DeliveryStore deliveries, EndpointStore endpoints, WebhookSender sender, RetryPolicy retries,
            WebhooksConfig config, ObjectMapper json, Vertx vertx, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.sender = sender;
        this.retries = retries;
        this.config = config;
        this.json = json;
        this.vertx = vertx;
        this.meters = meters;
        this.userAgent = "Fleetline-Webhooks/" + version;
        this.attemptDuration = Timer.builder("fleetline_webhook_attempt_duration")
                .description("Time of one delivery attempt, request to last response byte")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.deliveryLatency = Timer.builder("fleetline_webhook_delivery_latency")
                .description("Time from an event's arrival to its successful delivery")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.deadLetters = Counter.builder("fleetline_webhook_dead_letters_total")
                .description("Deliveries given up after the retry window").register(meters);
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.pollInterval().toMillis(), id -> nudge());
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    /** Looks for due deliveries now, for example right after an event was stored. */
    public void nudge() {
        if (stopped) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        int capacity = config.maxInFlight() - inFlight.get();
        if (capacity <= 0) {
            claiming.set(false);
            return;
        }
        int limit = config.maxConcurrencyPerEndpoint();
        Map<String, Integer> busy = new HashMap<>();
        perEndpoint.forEach((endpoint, count) -> busy.put(endpoint, Math.max(0, limit - count.get())));
        Duration lease = config.requestTimeout().plus(config.leaseMargin());
        deliveries.claim(Math.min(capacity, 200), lease, busy, limit).subscribe().with(
                claimed -> {
                    claimed.forEach(this::dispatch);
                    claiming.set(false);
                    // A full batch means more is due: claim again at once. Nudges that arrived while
                    // claiming (deliveries finished, events stored) are gathered for a moment, so
                    // one claim serves many instead of one claim per finished delivery.
                    if (claimed.size() == Math.min(capacity, 200)) {
                        vertx.runOnContext(v -> nudge());
                    } else if (again.get()) {
                        vertx.setTimer(REGATHER_MS, id -> nudge());
                    }
                },
                failure -> {
                    claiming.set(false);
                    LOG.warnf("Claiming due deliveries failed: %s", failure.getMessage());
                });
    }

    private void dispatch(Claimed claimed) {
        inFlight.incrementAndGet();
        perEndpoint.computeIfAbsent(claimed.endpointId(), id -> new AtomicInteger()).incrementAndGet();
        attempt(claimed)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Recording delivery %s failed, it will be retried after its lease: %s", claimed.id(),
                            failure.getMessage());
                    return null;
                })
                .subscribe().with(done -> release(claimed));
    }

    private void release(Claimed claimed) {
        inFlight.decrementAndGet();
        perEndpoint.computeIfPresent(claimed.endpointId(), (id, count) -> count.decrementAndGet() <= 0 ? null : count);
        nudge();
    }

    private Uni<Void> attempt(Claimed c) {
        byte[] body;
        try {
            body = c.format() == Endpoint.Format.DISCORD
                    ? json.writeValueAsBytes(DiscordMessage.render(json, json.readTree(c.payload())))
                    : c.payload();
        } catch (Exception e) {
            return finish(c, Instant.now(), 0, null, null, "cannot render the event: " + e.getMessage(),
                    Optional.empty(), false);
        }
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        return sender.post(URI.create(c.url()), headers(c, body, started), body)
                .onItemOrFailure().transformToUni((response, failure) -> {
                    int millis = (int) ((System.nanoTime() - startNanos) / 1_000_000);
                    attemptDuration.record(Duration.ofMillis(millis));
                    if (failure != null) {
                        String error = failure instanceof TimeoutException || failure instanceof WebhookSender.RefusedAddress
                                ? failure.getMessage()
                                : "connection failed: " + failure.getClass().getSimpleName()
                                        + (failure.getMessage() == null ? "" : " " + failure.getMessage());
                        return finish(c, started, millis, null, null, error, Optional.empty(), false);
                    }
                    Optional<Duration> retryAfter = response.status() == 429 || response.status() == 503
                            ? retryAfter(c, response, started) : Optional.empty();
                    return finish(c, started, millis, response.status(), response.body(), null, retryAfter,
                            response.status() == 410);
                });
    }

    private Map<String, String> headers(Claimed c, byte[] body, Instant now) {
        long timestamp = now.getEpochSecond();
        String standard = WebhookSignatures.standardSignature(c.secret(), c.eventId(), timestamp, body);
        if (c.previousSecret() != null) {
            standard = standard + " " + WebhookSignatures.standardSignature(c.previousSecret(), c.eventId(), timestamp, body);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", userAgent);
        headers.put("X-Webhook-Event", c.eventType());
        headers.put("X-Webhook-Id", c.eventId());
        headers.put("X-Webhook-Signature", WebhookSignatures.hmacHeader(c.secret(), body));
        headers.put("webhook-id", c.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", standard);
        return headers;
    }

    /** The receiver's wait: the {@code Retry-After} header, or Discord's JSON {@code retry_after} (float seconds). */
    private Optional<Duration> retryAfter(Claimed c, WebhookSender.Response response, Instant now) {
        Optional<Duration> header = RetryPolicy.parseRetryAfter(response.retryAfter(), now);
        if (header.isPresent() || c.format() != Endpoint.Format.DISCORD) {
            return header;
        }
        try {
            JsonNode seconds = json.readTree(response.body()).get("retry_after");
            return seconds != null && seconds.isNumber() && seconds.asDouble() >= 0
                    ? Optional.of(Duration.ofMillis((long) Math.ceil(seconds.asDouble() * 1000)))
                    : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private Uni<Void> finish(Claimed c, Instant at, int millis, Integer status, String responseBody, String error,
            Optional<Duration> retryAfter, boolean gone) {
        boolean success = status != null && status >= 200 && status < 300;
        Instant now = Instant.now();
        String state;
        Instant next = null;
        Instant pausedUntil = retryAfter.map(after -> now.plus(retries.bounded(after))).orElse(null);
        if (success) {
            state = "succeeded";
        } else if (gone) {
            state = "failed";
        } else if (retries.exhausted(c.cycleStartedAt(), now)) {
            state = "dead";
        } else {
            state = "retrying";
            next = now.plus(retries.delay(c.attempt(), retryAfter, ThreadLocalRandom.current()));
        }
        Outcome outcome = new Outcome(c.seq(), c.attempt(), state, next, at, millis, status,
                error == null && !success && status != null ? "HTTP " + status : error, clean(responseBody), success,
                pausedUntil);
        meters.counter("fleetline_webhook_deliveries_total", "result", state).increment();
        if (success) {
            deliveryLatency.record(Duration.between(c.createdAt(), now));
        } else if ("dead".equals(state)) {
            deadLetters.increment();
        }
        return deliveries.record(outcome).chain(failingSince -> {
            if (gone) {
                return endpoints.disable(c.endpointId(), "receiver answered 410 Gone").replaceWithVoid();
            }
            if (failingSince != null && !failingSince.isAfter(now.minus(config.disableAfter()))) {
                return endpoints.disable(c.endpointId(), "every delivery failed for " + config.disableAfter().toHours()
                        + " h").replaceWithVoid();
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** The response text as PostgreSQL text can hold it (no NUL characters). */
    private static String clean(String body) {
        return body == null ? null : body.replace('\u0000', '\uFFFD');
    }
}
