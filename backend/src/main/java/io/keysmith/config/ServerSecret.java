package io.keysmith.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The versioned server secret that key hashes are keyed with: {@code v2:<base64>,v1:<base64>}. The first version is
 * current (new hashes); the others are still accepted so the secret can be rotated without invalidating keys.
 */
public final class ServerSecret {
    private static final int MIN_BYTES = 32;

    public record Version(int id, byte[] key) {}

    private final List<Version> versions;

    private ServerSecret(List<Version> versions) {
        this.versions = List.copyOf(versions);
    }

    public Version current() {
        return versions.get(0);
    }

    public List<Version> versions() {
        return versions;
    }

    public Optional<Version> version(int id) {
        return versions.stream().filter(v -> v.id() == id).findFirst();
    }

    /** Parses {@code KEYSMITH_SECRET}; the message never echoes the value. */
    public static ServerSecret parse(String text) {
        List<Version> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon < 2 || p.charAt(0) != 'v') {
                throw bad("each entry must look like v1:<base64 of at least 32 random bytes>");
            }
            int id;
            byte[] key;
            try {
                id = Integer.parseInt(p.substring(1, colon));
                key = Base64.getDecoder()
                        .decode(p.substring(colon + 1).replace('-', '+').replace('_', '/'));
            } catch (IllegalArgumentException e) {
                throw bad("each entry must look like v1:<base64 of at least 32 random bytes>");
            }
            if (key.length < MIN_BYTES) {
                throw bad("version v" + id + " has " + key.length + " bytes; at least " + MIN_BYTES + " are required");
            }
            if (out.stream().anyMatch(v -> v.id() == id)) {
                throw bad("version v" + id + " appears twice");
            }
            out.add(new Version(id, key));
        }
        return new ServerSecret(out);
    }

    /**
     * Embedded mode: the secret is generated once and kept in the data directory, readable by the owner only, so
     * keys survive restarts.
     */
    public static ServerSecret loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[MIN_BYTES];
                new SecureRandom().nextBytes(random);
                String text = "v1:" + Base64.getEncoder().encodeToString(random);
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.SYNC);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return parse(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new ConfigException("Cannot read or create the server secret file " + file + ": " + e.getMessage());
        }
    }

    private static ConfigException bad(String why) {
        return new ConfigException("Invalid setting KEYSMITH_SECRET (secret): " + why);
    }
}
