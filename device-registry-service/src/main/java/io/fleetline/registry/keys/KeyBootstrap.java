package io.fleetline.registry.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.auth.AuditLog;
import io.fleetline.commons.auth.Permission;
import io.fleetline.commons.events.Ids;
import io.fleetline.registry.auth.AccessConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Makes sure an administrator exists: when no working admin key is stored at start-up, creates
 * one, from {@code FLEETLINE_BOOTSTRAP_ADMIN_KEY} when set, otherwise at random, written to
 * {@code fleetline.registry.access.bootstrap-key-file} readable only by its owner. The key itself is
 * never logged; the log says where it is.
 */
public class KeyBootstrap {

    private static final Logger LOG = Logger.getLogger(KeyBootstrap.class);

    void bootstrap(@Observes StartupEvent event, Pool pool, KeyStore keys, AuditLog audit,
            AccessConfig access, @ConfigProperty(name = "fleetline.bootstrap-admin-key") Optional<String> given) {
        if (given.isPresent() && !ApiKeys.isWellFormed(given.get())) {
            throw new IllegalStateException("FLEETLINE_BOOTSTRAP_ADMIN_KEY must be swk_ followed by 48 lowercase hex digits");
        }
        Path file = access.bootstrapKeyFile();
        String key = given.orElseGet(ApiKeys::generate);
        String keyId = Ids.next("key_");
        NewKey admin = new NewKey("bootstrap admin", NewKey.expand(Permission.ADMIN), null, null, null);
        // Written before the key is stored, so a key nobody can read is never the only admin.
        Path pending = file.resolveSibling(file.getFileName() + ".new");
        if (given.isEmpty()) {
            write(pending, key);
        }
        // The advisory lock keeps two replicas starting together from both creating a key.
        Boolean created = pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(hashtext('fleetline_admin_keys'))")
                .execute()
                .chain(() -> keys.hasActiveAdmin(tx))
                .chain(exists -> exists
                        ? Uni.createFrom().item(false)
                        : keys.insert(tx, keyId, key, admin)
                                .call(() -> audit.record(tx, "bootstrap", "key.create", keyId, AuditLog.SUCCEEDED, null))
                                .replaceWith(true)))
                .await().atMost(Duration.ofSeconds(30));
        try {
            if (given.isPresent()) {
                if (created) {
                    LOG.infof("No admin key existed: stored the one from FLEETLINE_BOOTSTRAP_ADMIN_KEY as %s", keyId);
                }
                return;
            }
            if (!created) {
                Files.delete(pending);
                return;
            }
            Files.move(pending, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot place the bootstrap admin key at " + file, e);
        }
        LOG.infof("No admin key existed: created %s; the key is in %s (readable by its owner only)",
                keyId, file.toAbsolutePath());
    }

    static void write(Path file, String key) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, List.of(key), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the bootstrap admin key to " + file, e);
        }
    }
}
