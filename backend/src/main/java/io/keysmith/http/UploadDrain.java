package io.keysmith.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * The rest of an upload refused before its body was read (a 413 from Content-Length) is read and thrown away, never
 * buffered or parsed, so the client can read the answer: closing at once made clients see a reset instead of the
 * 413. Past {@link #MAX_BYTES} or {@link #MAX_MILLIS} the connection is closed.
 */
final class UploadDrain {
    static final long MAX_BYTES = 2L * 1024 * 1024;
    static final long MAX_MILLIS = 10_000;

    private UploadDrain() {}

    static void drain(Vertx vertx, HttpServerRequest request) {
        long[] read = {0};
        // closes only an upload still under way: the request may end without our endHandler (already consumed),
        // and a kept-alive connection then carries the client's next request
        long timer = vertx.setTimer(MAX_MILLIS, t -> {
            if (!request.isEnded()) {
                request.connection().close();
            }
        });
        request.handler(chunk -> {
            read[0] += chunk.length();
            if (read[0] > MAX_BYTES) {
                vertx.cancelTimer(timer);
                request.connection().close();
            }
        });
        request.endHandler(v -> vertx.cancelTimer(timer));
        request.resume();
    }
}
