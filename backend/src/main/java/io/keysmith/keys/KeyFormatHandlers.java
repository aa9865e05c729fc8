package io.keysmith.keys;

import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Tells a secret scanner whether a string is a well-formed Keysmith key; never looks it up, never logs it. */
public final class KeyFormatHandlers {

    public void check(RoutingContext rc) {
        String key = RequestValidation.input(rc).bodyObject().getString("key");
        KeyFormat.Verdict verdict = KeyFormat.check(key);
        Responses.ok(
                rc,
                new JsonObject()
                        .put("wellFormed", verdict == KeyFormat.Verdict.OK)
                        .put("reason", verdict.name()));
    }
}
