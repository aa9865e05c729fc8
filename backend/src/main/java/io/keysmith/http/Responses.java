package io.keysmith.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small helpers so handlers stay one-liners. */
public final class Responses {
    private Responses() {}

    public static Future<Void> json(RoutingContext rc, int status, JsonObject body) {
        return rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.toBuffer());
    }

    public static Future<Void> ok(RoutingContext rc, JsonObject body) {
        return json(rc, 200, body);
    }
}
