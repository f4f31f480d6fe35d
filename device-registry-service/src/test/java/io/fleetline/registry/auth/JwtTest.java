package io.fleetline.registry.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
@TestProfile(AccessProfile.class)
class JwtTest {

    private static final String PROBE = "/api/v1/test-access";

    @Inject
    Pool pool;

    /** The subject of the tokens the tests sign themselves: a working key. */
    private String subject;

    @org.junit.jupiter.api.BeforeEach
    void subjectKey() {
        subject = TestKeys.keyId(pool, UsedKeys.remember(TestKeys.admin(pool)));
    }

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        UsedKeys.assertAbsentFromLog();
    }

    @Test
    void tokenFromAKeyCarriesItsIdentityAndPermissions() {
        String write = UsedKeys.remember(TestKeys.write(pool));
        String keyId = TestKeys.keyId(pool, write);
        String token = UsedKeys.remember(given().header(TestKeys.bearer(write)).when().post("/api/v1/auth/token")
                .then().statusCode(200)
                .body("data.token_type", equalTo("Bearer"))
                .body("data.expires_in", equalTo(900))
                .extract().path("data.access_token"));

        given().header(TestKeys.bearer(token)).when().post(PROBE).then().statusCode(200).body("data", equalTo(keyId));
        given().header(TestKeys.bearer(token)).when().delete(PROBE)
                .then().statusCode(403).body("error.message", equalTo("Key does not have 'admin' permission."));
        given().header(TestKeys.bearer(token)).when().post("/api/v1/auth/token")
                .then().statusCode(403).body("error.message", equalTo("Tokens are issued for an API key, not for another token."));
    }

    @Test
    void tokenOfARevokedKeyIsRefusedWithinOneSecond() {
        String admin = UsedKeys.remember(TestKeys.admin(pool));
        String read = UsedKeys.remember(TestKeys.read(pool));
        String token = UsedKeys.remember(given().header(TestKeys.bearer(read)).when().post("/api/v1/auth/token")
                .then().statusCode(200).extract().path("data.access_token"));
        given().header(TestKeys.bearer(token)).when().get(PROBE).then().statusCode(200);
        given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/" + TestKeys.keyId(pool, read))
                .then().statusCode(204);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().header(TestKeys.bearer(token)).when().get(PROBE).statusCode() == 401);
        given().header(TestKeys.bearer(token)).when().get(PROBE)
                .then().body("error.message", equalTo("API key has been revoked."));
    }

    @Test
    void tokenWithoutThePermissionAnswers403() {
        String token = sign(ourKey(), "fleetline", Set.of("read"), Instant.now().plusSeconds(300));
        given().header(TestKeys.bearer(token)).when().get(PROBE).then().statusCode(200);
        given().header(TestKeys.bearer(token)).when().post(PROBE)
                .then().statusCode(403).body("error.message", equalTo("Key does not have 'write' permission."));
    }

    @Test
    void expiredTokenAnswers401() {
        String token = sign(ourKey(), "fleetline", Set.of("admin"), Instant.now().minusSeconds(60));
        given().header(TestKeys.bearer(token)).when().get(PROBE)
                .then().statusCode(401).body("error.message", equalTo("Invalid or expired token."));
    }

    @Test
    void tamperedTokenAnswers401() {
        String token = sign(ourKey(), "fleetline", Set.of("read"), Instant.now().plusSeconds(300));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"read\"", "\"admin\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
                + "." + parts[2];
        UsedKeys.remember(tampered);
        given().header(TestKeys.bearer(tampered)).when().delete(PROBE)
                .then().statusCode(401).body("error.message", equalTo("Invalid or expired token."));
    }

    @Test
    void tokenOfAnotherIssuerOrKeyAnswers401() throws Exception {
        String wrongIssuer = sign(ourKey(), "someone-else", Set.of("read"), Instant.now().plusSeconds(300));
        given().header(TestKeys.bearer(wrongIssuer)).when().get(PROBE).then().statusCode(401);
        PrivateKey other = KeyUtils.decodePrivateKey(Files.readString(Path.of("src/test/resources/jwt/other-private.pem")));
        String wrongKey = sign(other, "fleetline", Set.of("read"), Instant.now().plusSeconds(300));
        given().header(TestKeys.bearer(wrongKey)).when().get(PROBE).then().statusCode(401);
    }

    @Test
    void revokedKeyGetsNoToken() {
        String admin = UsedKeys.remember(TestKeys.admin(pool));
        String read = UsedKeys.remember(TestKeys.read(pool));
        given().header(TestKeys.bearer(admin)).when().delete("/api/v1/keys/" + TestKeys.keyId(pool, read))
                .then().statusCode(204);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1))
                .until(() -> given().header(TestKeys.bearer(read)).when().post("/api/v1/auth/token").statusCode() == 401);
    }

    @Test
    void jwksPublishesTheVerificationKeyWithoutCredentials() throws Exception {
        RSAPublicKey expected = (RSAPublicKey) KeyUtils.decodePublicKey(
                Files.readString(Path.of("src/test/resources/jwt/public.pem")));
        var jwks = given().when().get("/api/v1/auth/jwks").then().statusCode(200)
                .body("keys[0].kty", equalTo("RSA"))
                .body("keys[0].alg", equalTo("RS256"))
                .extract();
        BigInteger modulus = new BigInteger(1, Base64.getUrlDecoder().decode(jwks.<String>path("keys[0].n")));
        assertEquals(expected.getModulus(), modulus);
    }

    private static PrivateKey ourKey() {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(Path.of("src/test/resources/jwt/private.pem")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String sign(PrivateKey key, String issuer, Set<String> groups, Instant expires) {
        return UsedKeys.remember(Jwt.issuer(issuer).subject(subject)
                .groups(groups).issuedAt(expires.minusSeconds(900)).expiresAt(expires).sign(key));
    }
}
