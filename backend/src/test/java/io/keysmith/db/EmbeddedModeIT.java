package io.keysmith.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 8, on the packaged server with its embedded PostgreSQL: the runtime folder (zonky's working directory
 * with the PostgreSQL binaries) was mode 0777 without the sticky bit, so another local user could replace
 * {@code pg_ctl} and have the next start run it; and links handed out were built from the request's {@code Host}.
 */
@DisplayName("Embedded mode: the PostgreSQL runtime is private, links never come from the Host header")
class EmbeddedModeIT {
    private static final String OPERATOR_TOKEN = "operator-token-for-embedded-mode-0123456789";

    @Test
    void theRuntimeFolderIsPrivate_andLinksPointAtLocalhostWhateverTheHost(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("data");
        ServerProcess server = ServerProcess.start(
                Map.of("KEYSMITH_DATA_DIR", dataDir.toString(), "KEYSMITH_OPERATOR_TOKEN", OPERATOR_TOKEN),
                tmp.resolve("server.log"));
        try {
            Path runtime = dataDir.resolve("postgres-runtime");
            assertThat(Files.isDirectory(runtime)).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime)))
                    .as("mode of %s", runtime)
                    .isEqualTo("rwx------");
            assertThat(Files.getOwner(runtime).getName()).isEqualTo(System.getProperty("user.name"));
            // nothing inside may be writable by others either (a folder made 0777 by a library, then closed above)
            try (var all = Files.walk(runtime)) {
                all.filter(p -> !Files.isSymbolicLink(p)).forEach(p -> {
                    try {
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        assertThat(mode.charAt(7))
                                .as("others may write %s (%s)", p, mode)
                                .isEqualTo('-');
                        assertThat(Files.getOwner(p).getName())
                                .as("owner of %s", p)
                                .isEqualTo(System.getProperty("user.name"));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }

            JsonObject body = new JsonObject()
                    .put("organizationName", "Host Header Org")
                    .put(
                            "owner",
                            new JsonObject()
                                    .put("firstName", "Olga")
                                    .put("lastName", "Owner")
                                    .put("email", "olga.owner@example.com"));
            String response = raw(
                    server.port,
                    "POST /api/v1/operator/organizations HTTP/1.1\r\n"
                            + "Host: attacker.example\r\n"
                            + "Authorization: Bearer " + OPERATOR_TOKEN + "\r\n"
                            + "Content-Type: application/json\r\n"
                            + "Connection: close\r\n"
                            + "Content-Length: " + body.encode().getBytes(StandardCharsets.UTF_8).length + "\r\n"
                            + "\r\n" + body.encode());
            assertThat(response).startsWith("HTTP/1.1 201");
            JsonObject created = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
            String url = created.getJsonObject("invitation").getString("url");
            assertThat(url).doesNotContain("attacker.example").startsWith("http://localhost:" + server.port + "/");
        } finally {
            server.process.destroy();
            server.process.waitFor();
        }
    }

    /** One request on a raw socket: a client may put anything in Host. */
    private static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
