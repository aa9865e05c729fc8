package io.keysmith.idempotency;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Precondition;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Idempotency-Key} on operations that create (IETF httpapi Idempotency-Key draft, Stripe's model; ADR 0012).
 * The first request claims the key in PostgreSQL (so every replica, and a restarted one, sees it) and does the work;
 * a 2xx answer is kept 24 hours and replayed to a retry with the same body ({@code Idempotent-Replayed: true}) without
 * doing the work again. Any other answer changed nothing and releases the key. Keys are scoped per organization and
 * credential (the API key, or the user of a session). The same key with another body or operation is 422; while the
 * first request is in progress, 409. An answer carrying a secret shown once is never stored: its replay is 409 naming
 * what was created.
 */
public final class Idempotency {
    private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);
    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    /** Headers of an answer replayed with it; everything else is the body. */
    private static final List<String> KEPT = List.of("ETag", "Location");

    private final Db db;
    private final IdempotencyRepository repository;

    public Idempotency(Db db, IdempotencyRepository repository) {
        this.db = db;
        this.repository = repository;
    }

    /** Deletes expired keys every {@code intervalMillis} (each replica; deleting twice is harmless). */
    public void startPurge(Vertx vertx, long intervalMillis) {
        vertx.setPeriodic(intervalMillis / 10, intervalMillis, id -> purge());
    }

    public Future<Long> purge() {
        return db.withoutOrganization(repository::purge)
                .onFailure(e -> LOG.warn("Idempotency-Key purge failed; it runs again later: {}", e.toString()));
    }

    /**
     * The handler for {@code operationId}, after authentication, authorization and the contract's check (which
     * bounds the header to 1-255 visible ASCII characters and refuses a bad body before any key is claimed).
     * {@code secretBearing}: its 2xx answer holds a secret shown once (a new key), never stored.
     */
    public Handler<RoutingContext> forOperation(String operationId, boolean secretBearing) {
        return rc -> {
            String key = rc.request().getHeader(HEADER);
            if (key == null) {
                rc.next();
                return;
            }
            Caller caller = Caller.of(rc);
            UUID org = caller.organizationId();
            String credential = caller.viaKey() ? "key:" + caller.keyId() : "user:" + caller.userId();
            byte[] fingerprint = fingerprint(operationId, rc);
            db.inOrganization(org, t -> repository.claim(t, credential, key, operationId, fingerprint))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            rc.fail(ar.cause());
                            return;
                        }
                        IdempotencyRepository.Stored s = ar.result();
                        if (s == null) {
                            begin(rc, org, credential, key, secretBearing);
                        } else if (!s.operationId().equals(operationId)
                                || !MessageDigest.isEqual(s.fingerprint(), fingerprint)) {
                            rc.fail(Precondition.idempotencyKeyReused("This Idempotency-Key was used with another"
                                    + " request in the last 24 hours: use a new key for a new request"));
                        } else if (!s.done()) {
                            rc.fail(new Conflict(
                                    "idempotency-in-progress",
                                    "A request with this Idempotency-Key is still in progress: retry later",
                                    HEADER));
                        } else if (s.withheld()) {
                            rc.fail(new Conflict(
                                    "idempotent-secret-withheld",
                                    "The first request with this Idempotency-Key created "
                                            + new JsonObject(s.body()).getString("id", "the object")
                                            + "; its answer held a secret shown once, which is never stored:"
                                            + " rotate the key if the secret was lost",
                                    HEADER));
                        } else {
                            replay(rc.response(), s);
                        }
                    });
        };
    }

    private void begin(RoutingContext rc, UUID org, String credential, String key, boolean secretBearing) {
        AtomicBoolean settled = new AtomicBoolean();
        rc.put(Responses.CAPTURE, (Responses.Capture) (status, headers, body) -> {
            settled.set(true);
            if (status < 200 || status >= 300) {
                // nothing was done: released before the refusal leaves, so an immediate retry is not a 409
                return release(org, credential, key);
            }
            JsonObject h = new JsonObject();
            for (String name : KEPT) {
                String v = headers.get(name);
                if (v != null) {
                    h.put(name, v);
                }
            }
            Buffer stored =
                    secretBearing ? new JsonObject().put("id", createdId(body)).toBuffer() : body;
            // kept before the answer leaves, so a retry right after it replays; if this fails the key stays in
            // progress (409) until it expires, never free to do the work twice
            return db.inOrganization(
                            org, t -> repository.complete(t, credential, key, status, h, stored, secretBearing))
                    .onFailure(e -> LOG.warn("Could not keep an idempotent answer: {}", e.toString()));
        });
        rc.addEndHandler(x -> {
            if (!settled.get()) {
                release(org, credential, key); // an answer that never passed the capture (a closed connection)
            }
        });
        rc.next();
    }

    private Future<Void> release(UUID org, String credential, String key) {
        return db.inOrganization(org, t -> repository.release(t, credential, key))
                .onFailure(e -> LOG.warn("Could not release an Idempotency-Key: {}", e.toString()))
                .<Void>mapEmpty()
                .otherwiseEmpty();
    }

    /** The id of what a secret-bearing answer created: its {@code id}, or its {@code key}'s (ApiKeyWithSecret). */
    private static Object createdId(Buffer body) {
        JsonObject answer = new JsonObject(body);
        Object id = answer.getValue("id");
        return id == null && answer.getValue("key") instanceof JsonObject key ? key.getValue("id") : id;
    }

    private static void replay(HttpServerResponse response, IdempotencyRepository.Stored s) {
        response.setStatusCode(s.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader(REPLAYED, "true");
        s.headers().forEach(e -> response.putHeader(e.getKey(), String.valueOf(e.getValue())));
        if (s.body() == null) {
            response.end();
        } else {
            response.end(s.body());
        }
    }

    /** What makes two requests the same: operation, path, On-Behalf-Of and the body's exact bytes. */
    static byte[] fingerprint(String operationId, RoutingContext rc) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            MultiMap h = rc.request().headers();
            for (String part : new String[] {operationId, rc.request().path(), String.valueOf(h.get("On-Behalf-Of"))}) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            if (rc.body() != null && rc.body().buffer() != null) {
                d.update(rc.body().buffer().getBytes());
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
