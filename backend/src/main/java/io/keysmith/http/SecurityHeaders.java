package io.keysmith.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** Headers every response carries; the CSP forbids inline scripts, so the SPA and /docs load only their own files. */
final class SecurityHeaders {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // names and values prepared once as ASCII strings: every response carries them
    private static final CharSequence[] HEADERS = {
        HttpHeaders.createOptimized("Content-Security-Policy"), HttpHeaders.createOptimized(CSP),
        HttpHeaders.createOptimized("X-Content-Type-Options"), HttpHeaders.createOptimized("nosniff"),
        HttpHeaders.createOptimized("Referrer-Policy"), HttpHeaders.createOptimized("no-referrer"),
        HttpHeaders.createOptimized("X-Frame-Options"), HttpHeaders.createOptimized("DENY"),
        HttpHeaders.createOptimized("Cross-Origin-Opener-Policy"), HttpHeaders.createOptimized("same-origin")
    };

    private SecurityHeaders() {}

    static void apply(RoutingContext rc) {
        apply(rc.response().headers());
        rc.next();
    }

    static void apply(MultiMap h) {
        for (int i = 0; i < HEADERS.length; i += 2) {
            h.add(HEADERS[i], HEADERS[i + 1]);
        }
    }
}
