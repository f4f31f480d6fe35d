package io.fleetline.commons.auth;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Every service's read path to {@code registry.api_keys}: keys are looked up by hash (or by id,
 * for the subject of a JWT) and cached
 * in memory, and the cache is dropped whenever the registry sends {@code NOTIFY
 * fleetline_api_keys} (a key revoked, rotated or changed), so a revocation is honoured within
 * the notification's delivery time rather than a TTL. While the LISTEN connection is down the
 * cache is bypassed, because a notice could be missed. Key use is collected and written to
 * {@code last_used_at} in one statement per interval, never per request.
 */
@ApplicationScoped
public class KeyCache {

    /** The channel the registry notifies on every change of a key. */
    public static final String CHANNEL = "fleetline_api_keys";

    private static final Logger LOG = Logger.getLogger(KeyCache.class);

    private final Pool pool;
    private final Vertx vertx;
    private final AuthConfig config;
    private final PgConnectOptions listenOptions;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> used = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    private PgSubscriber subscriber;

    KeyCache(Pool pool, Vertx vertx, AuthConfig config,
            @ConfigProperty(name = "fleetline.db.host") String host,
            @ConfigProperty(name = "fleetline.db.port") int port,
            @ConfigProperty(name = "fleetline.db.name") String database,
            @ConfigProperty(name = "fleetline.db.user") String user,
            @ConfigProperty(name = "fleetline.db.password") Optional<String> password) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
        this.listenOptions = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
                .setUser(user).setPassword(password.orElse(""));
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        subscriber = PgSubscriber.subscriber(vertx, listenOptions);
        subscriber.reconnectPolicy(retries -> 500L);
        subscriber.closeHandler(this::stopTrusting);
        subscriber.channel(CHANNEL)
                .subscribeHandler(() -> {
                    invalidate();
                    listening = true;
                })
                .endHandler(this::stopTrusting)
                .handler(payload -> invalidate());
        subscriber.connect().subscribe().with(
                ignored -> {
                },
                failure -> LOG.warnf("Key change notifications unavailable, keys are read uncached: %s",
                        failure.getMessage()));
        vertx.setPeriodic(config.lastUsedFlushInterval().toMillis(), id -> flushLastUsed());
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
    }

    /** The stored key whose hash is {@code hash}, or null when there is none. */
    public Uni<KeyRecord> find(String hash) {
        return lookup("hash:" + hash, "key_hash", hash);
    }

    /** The stored key {@code keyId} (the subject of a JWT), or null when there is none. */
    public Uni<KeyRecord> findById(String keyId) {
        return lookup("id:" + keyId, "key_id", keyId);
    }

    private Uni<KeyRecord> lookup(String cacheKey, String column, String value) {
        Cached cached = cache.get(cacheKey);
        Instant now = Instant.now();
        long loadedIn = generation.get();
        if (cached != null && listening && now.isBefore(cached.loadedAt.plus(config.cacheMaxAge()))) {
            return Uni.createFrom().item(cached.key);
        }
        return pool.preparedQuery("SELECT key_id, permissions, device_ids, expires_at, revoked_at, rate_limit"
                + " FROM registry.api_keys WHERE " + column + " = $1")
                .execute(Tuple.of(value))
                .map(rows -> rows.iterator().hasNext() ? from(rows.iterator().next()) : null)
                .invoke(key -> {
                    // A change notified while the row was being read must not be overwritten by it.
                    if (key != null && listening && generation.get() == loadedIn) {
                        if (cache.size() >= config.cacheSize()) {
                            cache.clear();
                        }
                        cache.put(cacheKey, new Cached(key, now));
                    }
                });
    }

    /** Notes that {@code keyId} was used; the next flush writes its {@code last_used_at}. */
    public void markUsed(String keyId) {
        used.put(keyId, Boolean.TRUE);
    }

    /** Whether key changes are being received, so cached keys are trusted. */
    public boolean listening() {
        return listening;
    }

    private void invalidate() {
        generation.incrementAndGet();
        cache.clear();
    }

    private void stopTrusting() {
        listening = false;
        invalidate();
    }

    private void flushLastUsed() {
        if (used.isEmpty()) {
            return;
        }
        String[] ids = used.keySet().toArray(String[]::new);
        Arrays.stream(ids).forEach(used::remove);
        pool.preparedQuery("UPDATE registry.api_keys SET last_used_at = now() WHERE key_id = ANY($1)")
                .execute(Tuple.of(ids))
                .subscribe().with(
                        rows -> {
                        },
                        failure -> LOG.warnf("Could not record key use: %s", failure.getMessage()));
    }

    private static KeyRecord from(Row row) {
        OffsetDateTime expires = row.getOffsetDateTime("expires_at");
        return new KeyRecord(
                row.getString("key_id"),
                KeyRecord.highest(row.getArrayOfStrings("permissions")),
                row.getArrayOfStrings("device_ids") == null ? null : Arrays.asList(row.getArrayOfStrings("device_ids")),
                expires == null ? null : expires.toInstant(),
                row.getValue("revoked_at") != null,
                row.getInteger("rate_limit"));
    }

    private record Cached(KeyRecord key, Instant loadedAt) {
    }
}
