package io.keysmith.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node default: a real PostgreSQL (zonky's binaries) whose data lives under the data directory and is
 * durable. zonky's test-friendly defaults are all overridden (see stack.md): fsync and synchronous commit on, data
 * kept on close and outside zonky's self-cleaning working directory, password authentication, loopback only, and a
 * postmaster orphaned by a kill -9 of the JVM stopped before starting again.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    public static final String DATABASE = "keysmith";
    public static final String SUPERUSER = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;
    private final String password;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg, String password) {
        this.pg = pg;
        this.password = password;
    }

    public static EmbeddedPostgres start(Path dataDir) {
        try {
            Path dataDirectory = dataDir.resolve("postgres");
            Path runtime = privateRuntime(dataDir.resolve("postgres-runtime"));
            Path socketDir = runtime.resolve("socket");
            Files.createDirectories(socketDir);
            Files.setPosixFilePermissions(socketDir, PRIVATE);
            // zonky makes its working directory world-writable (File.setWritable(true, false)) each time it prepares
            // the binaries: give it one inside the private runtime folder, which nobody else can enter
            Path binaries = runtime.resolve("binaries");
            Files.createDirectories(binaries);
            Files.setPosixFilePermissions(binaries, PRIVATE);
            // zonky reads its working directory from this property when a builder is created
            System.setProperty("ot.epg.working-dir", binaries.toString());

            stopOrphanedPostmaster(dataDirectory);

            String password = readOrCreate(dataDir.resolve("postgres.password"), EmbeddedPostgres::randomPassword);
            int port = Integer.parseInt(readOrCreate(dataDir.resolve("postgres.port"), EmbeddedPostgres::freePort));
            boolean fresh = !Files.exists(dataDirectory.resolve("postgresql.conf"));
            Path pwfile = dataDir.resolve("postgres.pwfile");
            if (fresh) {
                writePrivate(pwfile, password);
            }
            try {
                var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(binaries.toFile())
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .setPort(port)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("fsync", "on")
                        .setServerConfig("full_page_writes", "on")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("unix_socket_directories", socketDir.toString())
                        .setServerConfig("unix_socket_permissions", "0700")
                        .setServerConfig("max_connections", "100")
                        .setLocaleConfig("auth", "scram-sha-256")
                        .setLocaleConfig("pwfile", pwfile.toString())
                        .setConnectConfig("password", password)
                        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                                dataDir.resolve("postgres.log").toFile()))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                                dataDir.resolve("postgres.log").toFile()));
                var pg = builder.start();
                Files.setPosixFilePermissions(binaries, PRIVATE); // undo zonky's world-writable bit
                EmbeddedPostgres db = new EmbeddedPostgres(pg, password);
                db.createDatabaseIfMissing();
                LOG.info("Using embedded PostgreSQL: data in {}, listening on 127.0.0.1:{}", dataDirectory, port);
                return db;
            } finally {
                Files.deleteIfExists(pwfile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE =
            PosixFilePermissions.fromString("rwx------");

    /**
     * The folder holding the PostgreSQL binaries the server runs (issue 13 item 8: it was 0777, and another local user
     * replaced pg_ctl): mode 0700 and owned by the server's user, or start-up stops. Binaries left by an earlier
     * version (directly under it, in a folder others could write) or tampered with are deleted and extracted again.
     */
    static Path privateRuntime(Path runtime) throws IOException {
        Files.createDirectories(runtime);
        java.nio.file.attribute.UserPrincipal me = runtime.getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!Files.getOwner(runtime, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(me)
                || Files.isSymbolicLink(runtime)) {
            throw new IllegalStateException(runtime + " is not owned by " + me.getName()
                    + ", the user this server runs as: refusing to run PostgreSQL binaries from it");
        }
        Files.setPosixFilePermissions(runtime, PRIVATE);
        try (var entries = Files.list(runtime)) {
            for (Path legacy : entries.filter(p -> p.getFileName().toString().startsWith("PG-"))
                    .toList()) {
                deleteTree(legacy); // the layout before the binaries moved into runtime/binaries
            }
        }
        Path binaries = runtime.resolve("binaries");
        if (Files.exists(binaries, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !trusted(binaries, me)) {
            LOG.warn(
                    "Extracting the PostgreSQL binaries again: {} holds files not owned by {} or writable by others",
                    binaries,
                    me.getName());
            deleteTree(binaries);
        }
        return runtime;
    }

    private static boolean trusted(Path dir, java.nio.file.attribute.UserPrincipal me) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue; // the binaries' own relative links (lib*.so): their targets are walked themselves
                }
                var perms = Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                boolean othersWrite = perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)
                        || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
                // zonky itself makes its working directory world-writable; inside the private folder that is harmless
                if (!Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(me)
                        || (othersWrite && !p.equals(dir))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public int port() {
        return pg.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    private void createDatabaseIfMissing() {
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot create the embedded database: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            pg.close(); // pg_ctl stop -m fast: a clean checkpoint
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }

    /**
     * After a kill -9 of the JVM the postmaster survives, reparented to PID 1. Stop it if the PID file names a live
     * postgres serving this data directory; a PID file naming another process is stale and removed.
     */
    static void stopOrphanedPostmaster(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<Long> pid = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream()
                .findFirst()
                .map(String::trim)
                .filter(s -> s.matches("\\d+"))
                .map(Long::parseLong);
        Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // dead: postgres itself ignores a stale PID file
        }
        String cmdline = readCmdline(process.get().pid());
        if (!cmdline.contains("postgres") || !cmdline.contains(dataDirectory.toString())) {
            LOG.warn("Removing stale {} (PID {} is not this database's postmaster)", pidFile, pid.get());
            Files.delete(pidFile);
            return;
        }
        LOG.warn("Stopping the PostgreSQL left running by a previous crash (PID {})", pid.get());
        ProcessHandle handle = process.get();
        handle.destroy(); // SIGTERM: smart shutdown; its clients died with the old JVM
        try {
            handle.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Orphaned postmaster did not stop in 60 s; killing it (crash recovery follows)");
            handle.destroyForcibly();
            handle.onExit().join();
        }
    }

    private static String readCmdline(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static String readOrCreate(Path file, java.util.function.Supplier<String> create) throws IOException {
        if (!Files.exists(file)) {
            writePrivate(file, create.get());
        }
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.SYNC);
    }

    private static String randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return Integer.toString(s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
