package io.keysmith.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request: method, path, status, time. Never the query string or headers: a key sent where it does
 * not belong must not end up in a log.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("keysmith.access");

    private AccessLog() {}

    static void handle(RoutingContext rc) {
        long start = System.nanoTime();
        rc.addEndHandler(v -> LOG.info(
                "{} {} {} {}us",
                rc.request().method(),
                rc.request().path(),
                rc.response().getStatusCode(),
                (System.nanoTime() - start) / 1000));
        rc.next();
    }

    /** The raw path's line (FastPath): the same fields, once, when the response ends, fails or its connection closes. */
    static void handle(io.vertx.core.http.HttpServerRequest request) {
        long start = System.nanoTime();
        boolean[] logged = {false};
        io.vertx.core.Handler<Void> line = v -> {
            if (!logged[0]) {
                logged[0] = true;
                LOG.info(
                        "{} {} {} {}us",
                        request.method(),
                        request.path(),
                        request.response().getStatusCode(),
                        (System.nanoTime() - start) / 1000);
            }
        };
        request.response()
                .endHandler(line)
                .exceptionHandler(e -> line.handle(null))
                .closeHandler(line);
    }
}
