package io.keysmith.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The packaged server (target/keysmith.jar) as a separate process, for crash, signal and multi-replica tests. */
public final class ServerProcess {
    public final Process process;
    public final int port;
    public final int managementPort;
    public final Path log;
    public final long readyMillis;

    private ServerProcess(Process process, int port, int managementPort, Path log, long readyMillis) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.readyMillis = readyMillis;
    }

    public static ServerProcess start(Map<String, String> env, Path log) throws Exception {
        String jar = System.getProperty("keysmith.jar", "target/keysmith.jar");
        int port = freePort();
        int management = freePort();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> e = new HashMap<>(env);
        e.put("KEYSMITH_HTTP_PORT", Integer.toString(port));
        e.put("KEYSMITH_MANAGEMENT_PORT", Integer.toString(management));
        e.put("KEYSMITH_HTTP_HOST", "127.0.0.1");
        if (e.containsKey("KEYSMITH_DATABASE_URL")) {
            e.putIfAbsent("KEYSMITH_PUBLIC_URL", "http://keysmith.test"); // required with an external database
        }
        // as TestServer: every test signs up and signs in from 127.0.0.1 (the throttle tests set their own)
        e.putIfAbsent("KEYSMITH_SIGNUP_THROTTLE_ADDRESS", "100000");
        e.putIfAbsent("KEYSMITH_SIGNUP_THROTTLE_EMAIL", "100000");
        e.putIfAbsent("KEYSMITH_SIGNIN_THROTTLE_ATTEMPTS", "1000000");
        e.putIfAbsent("KEYSMITH_PASSWORD_HASHING_ADDRESS_BURST", "10000");
        pb.environment().putAll(e);
        long t0 = System.nanoTime();
        Process p = pb.start();
        ServerProcess sp = new ServerProcess(p, port, management, log, 0);
        sp.awaitReady(Duration.ofSeconds(120));
        return new ServerProcess(p, port, management, log, (System.nanoTime() - t0) / 1_000_000);
    }

    public void awaitReady(Duration timeout) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server not ready in " + timeout + ":\n" + Files.readString(log));
    }

    public String get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
