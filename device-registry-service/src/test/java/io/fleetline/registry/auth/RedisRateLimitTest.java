package io.fleetline.registry.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every rate-limit rule of {@link RateLimitTest}, with the counters in Redis. */
@QuarkusTest
@TestProfile(RedisAccessProfile.class)
class RedisRateLimitTest extends RateLimitTest {
}
