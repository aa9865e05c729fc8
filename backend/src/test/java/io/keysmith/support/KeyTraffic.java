package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Key-authenticated traffic for usage tests: single requests, bursts with bounded concurrency, and background load
 * that counts only answered requests (a response with a status) and remembers when each was answered.
 */
public final class KeyTraffic implements AutoCloseable {
    /** A key as created: its id and its secret (shown once). */
    public record Key(String id, String secret, String hint) {}

    private final Vertx vertx;
    private final Api client;

    public KeyTraffic(Vertx vertx, int port) {
        this.vertx = vertx;
        this.client = new Api(vertx, port);
    }

    /** Creates a key as {@code session}; {@code permissions} null: INHERIT, else SCOPED with them. */
    public static Key createKey(
            Api api, Api.Session session, String name, String apiType, JsonArray permissions, Integer ratePerMinute) {
        JsonObject body = new JsonObject()
                .put("name", name)
                .put("apiType", apiType)
                .put("permissionMode", permissions == null ? "INHERIT" : "SCOPED");
        if (permissions != null) {
            body.put("permissions", permissions);
        }
        if (ratePerMinute != null) {
            body.put("rateLimitPerMinute", ratePerMinute);
        }
        HttpResponse<Buffer> r = api.post("/api/v1/api-keys", session, body);
        assertThat(r.statusCode())
                .as("create key %s: %s", name, r.bodyAsString())
                .isEqualTo(201);
        JsonObject json = r.bodyAsJsonObject();
        return new Key(
                json.getJsonObject("key").getString("id"),
                json.getString("secret"),
                json.getJsonObject("key").getString("hint"));
    }

    public HttpRequest<Buffer> request(HttpMethod method, String path, String secret) {
        HttpRequest<Buffer> req = client.request(method, path, null).timeout(30_000);
        if (secret != null) {
            req.putHeader("Authorization", "Bearer " + secret);
        }
        return req;
    }

    public Future<HttpResponse<Buffer>> get(String path, String secret, Map<String, String> headers) {
        HttpRequest<Buffer> req = request(HttpMethod.GET, path, secret);
        headers.forEach(req::putHeader);
        return req.send();
    }

    public Future<HttpResponse<Buffer>> post(String path, String secret, JsonObject body) {
        return request(HttpMethod.POST, path, secret).sendJsonObject(body);
    }

    /** Blocking: {@code n} requests, at most {@code concurrency} in flight; the statuses of the answered ones. */
    public Map<Integer, Integer> burst(int n, int concurrency, Supplier<Future<HttpResponse<Buffer>>> request) {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicLong next = new AtomicLong();
        List<Future<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Promise<Void> lane = Promise.promise();
            lanes.add(lane.future());
            vertx.runOnContext(v -> lane(n, next, request, statuses, lane));
        }
        Future.all(lanes).await();
        return statuses;
    }

    private void lane(
            int n,
            AtomicLong next,
            Supplier<Future<HttpResponse<Buffer>>> request,
            Map<Integer, Integer> statuses,
            Promise<Void> done) {
        if (next.getAndIncrement() >= n) {
            done.complete();
            return;
        }
        request.get().onComplete(ar -> {
            if (ar.succeeded()) {
                statuses.merge(ar.result().statusCode(), 1, Integer::sum);
            } else {
                statuses.merge(-1, 1, Integer::sum); // no answer
            }
            lane(n, next, request, statuses, done);
        });
    }

    /** Load until {@link Background#stop()}: every answered request is counted with the time it was answered. */
    public Background background(int concurrency, Supplier<Future<HttpResponse<Buffer>>> request) {
        Background b = new Background();
        for (int i = 0; i < concurrency; i++) {
            Promise<Void> lane = Promise.promise();
            b.lanes.add(lane.future());
            vertx.runOnContext(v -> backgroundLane(b, request, lane));
        }
        return b;
    }

    private void backgroundLane(Background b, Supplier<Future<HttpResponse<Buffer>>> request, Promise<Void> done) {
        if (b.stopped.get()) {
            done.complete();
            return;
        }
        request.get().onComplete(ar -> {
            if (ar.succeeded()) {
                b.answered.add(new Answer(System.nanoTime(), ar.result().statusCode(), ar.result()));
                backgroundLane(b, request, done);
            } else {
                b.failures.incrementAndGet();
                vertx.setTimer(20, t -> backgroundLane(b, request, done));
            }
        });
    }

    public record Answer(long atNanos, int status, HttpResponse<Buffer> response) {}

    public static final class Background {
        final List<Future<Void>> lanes = new ArrayList<>();
        final AtomicBoolean stopped = new AtomicBoolean();
        public final ConcurrentLinkedQueue<Answer> answered = new ConcurrentLinkedQueue<>();
        public final AtomicLong failures = new AtomicLong();

        /** Stops and waits for the requests in flight. */
        public void stop() {
            stopped.set(true);
            Future.all(lanes).await();
        }

        public long count() {
            return answered.size();
        }
    }

    /** Polls {@code value} until {@code done} holds or {@code timeout} passes; the last value seen. */
    public static long poll(
            java.util.function.LongSupplier value, java.util.function.LongPredicate done, java.time.Duration timeout) {
        return Poll.value(value, done, timeout);
    }

    @Override
    public void close() {
        client.close();
    }
}
