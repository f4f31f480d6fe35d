package io.fleetline.registry.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetline.commons.auth.ApiKeys;

class BootstrapKeyFileTest {

    @TempDir
    Path dir;

    @Test
    void keyFileIsReadableByItsOwnerOnlyEvenWhenItReplacesAnOpenOne() throws Exception {
        Path file = dir.resolve("stack/admin.key");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String key = ApiKeys.generate();

        KeyBootstrap.write(file, key);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(key, Files.readString(file).trim());
    }
}
