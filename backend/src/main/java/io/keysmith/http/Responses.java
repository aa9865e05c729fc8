package io.keysmith.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small helpers so handlers stay one-liners. */
public final class Responses {
    // header values as prepared ASCII strings: no encoding per response
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

    private Responses() {}

    /**
     * Sees a JSON answer before it is written (the Idempotency-Key handler keeps answers for replay); the answer is
     * sent when the returned future completes, whatever its outcome.
     */
    @FunctionalInterface
    public interface Capture {
        Future<Void> answered(int status, io.vertx.core.MultiMap headers, Buffer body);
    }

    /** Where a request's {@link Capture} waits in its routing context. */
    public static final String CAPTURE = "keysmith.capture";

    public static Future<Void> json(RoutingContext rc, int status, JsonObject body) {
        return json(rc, status, body.toBuffer());
    }

    /** A JSON body already written (the hot routes write theirs directly). */
    public static Future<Void> json(RoutingContext rc, int status, Buffer body) {
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
        Capture capture = rc.get(CAPTURE);
        if (capture == null) {
            return rc.response().end(body);
        }
        rc.remove(CAPTURE);
        return capture.answered(status, rc.response().headers(), body)
                .transform(x -> rc.response().end(body));
    }

    /**
     * The same on either path of a hot route: the routed one as above; the raw one (FastPath) has no capture, since
     * an operation with an Idempotency-Key step is never put on the raw path (Routes).
     */
    public static Future<Void> json(Exchange x, int status, Buffer body) {
        if (x instanceof Exchange.Routed r) {
            return json(r.rc(), status, body);
        }
        return x.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .end(body);
    }

    public static Future<Void> ok(RoutingContext rc, JsonObject body) {
        return json(rc, 200, body);
    }

    public static Future<Void> ok(RoutingContext rc, Buffer body) {
        return json(rc, 200, body);
    }
}
