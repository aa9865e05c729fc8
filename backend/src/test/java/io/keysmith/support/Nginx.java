package io.keysmith.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx as a child process: {@code nginx -c FILE -p DIR} in the foreground, two worker processes, its own
 * pid, error log and temp paths under DIR, listening on loopback only. {@code serverBody} is what goes inside the
 * {@code server { }} block after {@code listen}.
 */
public final class Nginx implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The nginx binary, or null when it is not installed (bin/test installs Debian's). */
    public static Path binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static Nginx start(Path dir, String serverBody) throws IOException, InterruptedException {
        Path binary = binary();
        if (binary == null) {
            throw new IllegalStateException("nginx is not installed (apt-get install nginx)");
        }
        Files.createDirectories(dir.resolve("tmp"));
        int port = freePort();
        String conf = String.join(
                "\n",
                "daemon off;",
                "worker_processes 2;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 512; }",
                "http {",
                "    access_log " + dir.resolve("access.log") + ";",
                "    client_body_temp_path " + dir.resolve("tmp/body") + ";",
                "    proxy_temp_path " + dir.resolve("tmp/proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("tmp/scgi") + ";",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                serverBody,
                "    }",
                "}",
                "");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process test = new ProcessBuilder(
                        binary.toString(),
                        "-t",
                        "-q",
                        "-e",
                        dir.resolve("error.log").toString(),
                        "-p",
                        dir.toString(),
                        "-c",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String testOutput = new String(test.getInputStream().readAllBytes());
        if (test.waitFor() != 0) {
            throw new IllegalStateException("nginx refuses the configuration: " + testOutput + "\n" + conf);
        }
        Process p = new ProcessBuilder(
                        binary.toString(),
                        "-e",
                        dir.resolve("error.log").toString(),
                        "-p",
                        dir.toString(),
                        "-c",
                        file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        Nginx nginx = new Nginx(p, dir, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("nginx exited: " + nginx.errorLog());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return nginx;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        nginx.close();
        throw new IllegalStateException("nginx did not listen on " + port + ": " + nginx.errorLog());
    }

    public int port() {
        return port;
    }

    public String errorLog() {
        try {
            Path log = dir.resolve("error.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops this nginx (SIGTERM to its master, which takes its workers down) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
