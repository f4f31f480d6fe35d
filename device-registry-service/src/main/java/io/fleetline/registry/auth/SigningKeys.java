package io.fleetline.registry.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.commons.auth.AuthConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.util.KeyUtils;

/**
 * The RSA key pair the registry signs JWTs with. Read from {@code
 * fleetline.registry.access.jwt-private-key-file} (PEM, PKCS#8), or generated there at first start
 * (owner-only); the public half is written to {@code fleetline.auth.jwt-public-key-file}, where
 * every service on the host verifies tokens with it, and served as a JWK set.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private final Path privateFile;
    private final Path publicFile;
    private PrivateKey privateKey;
    private RSAPublicKey publicKey;
    private String keyId;

    SigningKeys(AccessConfig access, AuthConfig auth) {
        this.privateFile = access.jwtPrivateKeyFile();
        this.publicFile = auth.jwtPublicKeyFile();
    }

    void load(@Observes StartupEvent event) throws Exception {
        if (!Files.exists(privateFile)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            writeOwnerOnly(privateFile, pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded()));
            LOG.infof("Generated the JWT signing key at %s", privateFile.toAbsolutePath());
        }
        privateKey = KeyUtils.decodePrivateKey(Files.readString(privateFile));
        RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
        publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        keyId = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded())).substring(0, 16);
        String publicPem = pem("PUBLIC KEY", publicKey.getEncoded());
        if (!Files.exists(publicFile) || !java.util.Arrays.equals(
                KeyUtils.decodePublicKey(Files.readString(publicFile)).getEncoded(), publicKey.getEncoded())) {
            Files.createDirectories(publicFile.toAbsolutePath().getParent());
            Files.writeString(publicFile, publicPem);
        }
    }

    /** The key tokens are signed with. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The {@code kid} of the signing key: a thumbprint of its public half. */
    public String keyId() {
        return keyId;
    }

    /** The public key as one JWK (RFC 7517). */
    public Map<String, String> jwk() {
        return Map.of("kty", "RSA", "use", "sig", "alg", "RS256", "kid", keyId,
                "n", base64Url(publicKey.getModulus()), "e", base64Url(publicKey.getPublicExponent()));
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
    }
}
