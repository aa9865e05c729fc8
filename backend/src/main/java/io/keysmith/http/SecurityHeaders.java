package io.keysmith.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** Headers every response carries; the CSP forbids inline scripts, so the SPA and /docs load only their own files. */
final class SecurityHeaders {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    static void apply(RoutingContext rc) {
        MultiMap h = rc.response().headers();
        h.add("Content-Security-Policy", CSP);
        h.add("X-Content-Type-Options", "nosniff");
        h.add("Referrer-Policy", "no-referrer");
        h.add("X-Frame-Options", "DENY");
        h.add("Cross-Origin-Opener-Policy", "same-origin");
        rc.next();
    }
}
