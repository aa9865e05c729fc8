package io.keysmith.webhooks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP webhook receiver on loopback: records every request (headers, body) and answers with the configured
 * status, after the configured delay, or with a redirect.
 */
final class Receiver implements AutoCloseable {
    record Received(String id, String timestamp, String signature, String body, String host) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger status = new AtomicInteger(204);
    final AtomicLong delayMillis = new AtomicLong();
    final AtomicReference<String> redirectTo = new AtomicReference<>();
    private final Vertx vertx;
    private HttpServer server;

    private Receiver(Vertx vertx) {
        this.vertx = vertx;
    }

    static Receiver start(Vertx vertx) {
        return start(vertx, 0);
    }

    static Receiver start(Vertx vertx, int port) {
        Receiver r = new Receiver(vertx);
        r.server = vertx.createHttpServer()
                .requestHandler(r::handle)
                .listen(port, "127.0.0.1")
                .await();
        return r;
    }

    int port() {
        return server.actualPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            received.add(new Received(
                    req.getHeader("webhook-id"),
                    req.getHeader("webhook-timestamp"),
                    req.getHeader("webhook-signature"),
                    body.toString(),
                    req.getHeader("host")));
            Runnable answer = () -> {
                String location = redirectTo.get();
                if (location != null) {
                    req.response()
                            .setStatusCode(302)
                            .putHeader("location", location)
                            .end();
                } else {
                    req.response().setStatusCode(status.get()).end(status.get() >= 400 ? "receiver says no" : "");
                }
            };
            long delay = delayMillis.get();
            if (delay > 0) {
                vertx.setTimer(delay, x -> answer.run());
            } else {
                answer.run();
            }
        });
    }

    List<Received> ofType(String type) {
        return received.stream()
                .filter(r -> type.equals(r.json().getString("type")))
                .toList();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
