package io.fleetline.commons.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The Redis store against a real Redis: two limiters standing for two replicas share one budget
 * per caller, where memory stores count apart; when Redis goes away requests pass, counted.
 */
class RedisRateLimitStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Vertx vertx = Vertx.vertx();
    private final List<RateLimiter> started = new java.util.ArrayList<>();
    private Process redis;

    @AfterEach
    void stop() throws InterruptedException {
        started.forEach(RateLimiter::stop);
        if (redis != null) {
            redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        vertx.close();
    }

    @Test
    void replicasOnOneRedisShareTheBudgetOfACaller() throws Exception {
        String url = "redis://127.0.0.1:" + startRedis();
        RateLimiter first = limiter(RateLimitConfig.Store.REDIS, url);
        RateLimiter second = limiter(RateLimitConfig.Store.REDIS, url);
        String caller = "key:" + UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            RateLimiter.Outcome outcome = (i % 2 == 0 ? first : second).consume(caller, "default", null).await().atMost(WAIT);
            assertTrue(outcome.allowed(), "request " + (i + 1) + " of 4 is within the shared budget");
            assertEquals(3 - i, outcome.remaining());
        }
        RateLimiter.Outcome refused = second.consume(caller, "default", null).await().atMost(WAIT);
        assertFalse(refused.allowed());
        assertEquals("0", refused.headers().get("RateLimit-Remaining"));
        assertFalse(first.consume(caller, "default", null).await().atMost(WAIT).allowed());
        assertTrue(first.consume("key:" + UUID.randomUUID(), "default", null).await().atMost(WAIT).allowed(),
                "another caller has its own budget");
    }

    @Test
    void memoryStoresCountEachReplicaApart() {
        RateLimiter first = limiter(RateLimitConfig.Store.MEMORY, "redis://unused");
        RateLimiter second = limiter(RateLimitConfig.Store.MEMORY, "redis://unused");
        for (int i = 0; i < 4; i++) {
            assertTrue(first.consume("key:a", "default", null).await().atMost(WAIT).allowed());
        }
        assertFalse(first.consume("key:a", "default", null).await().atMost(WAIT).allowed());
        assertTrue(second.consume("key:a", "default", null).await().atMost(WAIT).allowed());
    }

    @Test
    void whenRedisGoesAwayRequestsPassUnlimitedAndAreCounted() throws Exception {
        String url = "redis://127.0.0.1:" + startRedis();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RateLimiter limiter = limiter(RateLimitConfig.Store.REDIS, url, meters);
        String caller = "key:" + UUID.randomUUID();
        assertEquals("3", limiter.consume(caller, "default", null).await().atMost(WAIT).headers().get("RateLimit-Remaining"));

        redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        RateLimiter.Outcome outcome = limiter.consume(caller, "default", null).await().atMost(WAIT);
        assertTrue(outcome.allowed());
        assertEquals(Map.of(), outcome.headers());
        assertEquals(1.0, meters.counter("fleetline_rate_limit_store_errors").count());
    }

    private RateLimiter limiter(RateLimitConfig.Store store, String url) {
        return limiter(store, url, new SimpleMeterRegistry());
    }

    private RateLimiter limiter(RateLimitConfig.Store store, String url, SimpleMeterRegistry meters) {
        RateLimiter limiter = new RateLimiter(new Config(store, url), vertx, meters);
        limiter.start(null);
        started.add(limiter);
        return limiter;
    }

    /** A Redis of this test's own, on a free port, so stopping it disturbs nothing else. */
    private int startRedis() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        return port;
    }

    private record Config(Store store, String redisUrl) implements RateLimitConfig {

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Duration window() {
            return Duration.ofMinutes(1);
        }

        @Override
        public Map<String, Integer> limits() {
            return Map.of("default", 4);
        }

        @Override
        public Duration redisTimeout() {
            return Duration.ofMillis(500);
        }
    }
}
