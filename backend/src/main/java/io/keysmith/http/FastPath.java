package io.keysmith.http;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.handler.HttpException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hot routes (verify, forward-auth) answered straight from the HTTP server's request handler, without vertx-web
 * (issue 12 item 5: a routing context, the root router's walk and the sub-router's wrapper per request were the
 * largest cost left). Taken only by exact method and raw path; any other spelling, method, HTTP/2, an
 * {@code Expect} header or a form body goes to the main router. The steps after the body are the very objects
 * {@link Routes} built from the contract for the routed path (authentication and throttle, guard, request check,
 * handler: {@link Exchange.Step}s); the body is read as vertx-web's BodyHandler does, to the operation's limit
 * ({@link BodyLimits}: 413 from Content-Length or as the bytes arrive, the rest drained by {@link UploadDrain});
 * failures go through {@link FailureHandler} as on the router; the security headers and the access log are the
 * router's. FastPathIT proves both paths answer alike.
 */
final class FastPath {
    /** Requests the fast path took, in all servers of this JVM (FastPathIT checks which path answered). */
    private static final LongAdder TAKEN = new LongAdder();

    static long taken() {
        return TAKEN.sum();
    }

    private static final MultiMap NO_QUERY = MultiMap.caseInsensitiveMultiMap();

    /** One hot operation: its exact method and path, its body limit and the steps after the body. */
    private record Hot(HttpMethod method, String path, long bodyLimit, Exchange.Step[] steps) {}

    private final Vertx vertx;
    private final boolean accessLog;
    private final Hot[] hot;

    private FastPath(Vertx vertx, boolean accessLog, Hot[] hot) {
        this.vertx = vertx;
        this.accessLog = accessLog;
        this.hot = hot;
    }

    static FastPath of(Vertx vertx, Map<String, Routes.Chain> chains, boolean accessLog) {
        List<Hot> hot = new ArrayList<>();
        for (Routes.Chain chain : chains.values()) {
            hot.add(new Hot(
                    chain.operation().getHttpMethod(),
                    chain.operation().getOpenAPIPath(),
                    chain.bodyLimit(),
                    chain.steps().toArray(Exchange.Step[]::new)));
        }
        return new FastPath(vertx, accessLog, hot.toArray(Hot[]::new));
    }

    /** Answers {@code request} when it is exactly one of the hot operations; false: the main router's. */
    boolean handle(HttpServerRequest request) {
        HttpMethod method = request.method();
        String path = request.path();
        for (Hot h : hot) {
            if (h.path().equals(path) && h.method().equals(method) && plain(request)) {
                TAKEN.increment();
                new Raw(vertx, request, h).start(accessLog);
                return true;
            }
        }
        return false;
    }

    /** What the raw body reading does not do as vertx-web would (HTTP/2, Expect, form bodies) stays routed. */
    private static boolean plain(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.EXPECT)) {
            return false;
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null) {
            return true;
        }
        String t = type.toLowerCase(Locale.ROOT);
        return !t.startsWith("multipart/form-data") && !t.startsWith("application/x-www-form-urlencoded");
    }

    /** One request on the raw path: the route's steps in order, as a routing context would run them. */
    private static final class Raw implements Exchange {
        private final Vertx vertx;
        private final HttpServerRequest request;
        private final Hot hot;
        private int step = -1;
        private Buffer body;
        private long read;
        private boolean failed;
        private MultiMap query;
        private List<Handler<Void>> headersEnd;
        // the few attributes a hot route carries (the verified key, the caller, the gateway, the input)
        private final String[] keys = new String[4];
        private final Object[] values = new Object[4];

        Raw(Vertx vertx, HttpServerRequest request, Hot hot) {
            this.vertx = vertx;
            this.request = request;
            this.hot = hot;
        }

        void start(boolean accessLog) {
            if (accessLog) {
                AccessLog.handle(request);
            }
            SecurityHeaders.apply(request.response().headers());
            readBody();
        }

        /** vertx-web's BodyHandler, to the operation's limit: no body without Content-Length or chunking. */
        private void readBody() {
            long length = contentLength(request);
            if (length == -1 && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                next();
                return;
            }
            if (length > hot.bodyLimit()) {
                fail(null, 413);
                return;
            }
            if (request.isEnded()) {
                fail(new VertxException("The request ended before its body was read", true), 500);
                return;
            }
            body = Buffer.buffer((int) Math.min(length < 0 ? 1024 : length, Math.min(hot.bodyLimit(), 65535)));
            request.exceptionHandler(t -> {
                int status = 200; // as BodyHandler: a broken request fails with its cause (500, logged)
                if (t instanceof DecoderException) {
                    status = 400;
                    if (t.getCause() != null) {
                        t = t.getCause();
                    }
                }
                fail(t, status);
            });
            request.handler(chunk -> {
                if (failed) {
                    return;
                }
                read += chunk.length();
                if (read > hot.bodyLimit()) {
                    fail(null, 413);
                } else {
                    body.appendBuffer(chunk);
                }
            });
            request.endHandler(v -> {
                if (!failed) {
                    next();
                }
            });
            request.resume();
        }

        private static long contentLength(HttpServerRequest request) {
            String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (value == null || value.isEmpty()) {
                return -1;
            }
            try {
                long n = Long.parseLong(value);
                return n < 0 ? -1 : n;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public void next() {
            if (failed) {
                return;
            }
            step++;
            if (step >= hot.steps().length) {
                fail(null, 404); // a route whose handlers all passed it on: the router's answer
                return;
            }
            try {
                hot.steps()[step].handle(this);
            } catch (Throwable t) {
                fail(t); // as the router: a handler's exception fails the request
            }
        }

        @Override
        public void fail(Throwable failure) {
            fail(failure, failure instanceof HttpException h ? h.getStatusCode() : 500);
        }

        /** As RoutingContext.fail(status, failure): the one failure handler, once. */
        private void fail(Throwable failure, int status) {
            if (failed) {
                return;
            }
            failed = true;
            FailureHandler.handle(vertx, request, failure, status);
        }

        @Override
        public HttpServerRequest request() {
            return request;
        }

        @Override
        public HttpServerResponse response() {
            return request.response();
        }

        @Override
        public Vertx vertx() {
            return vertx;
        }

        @Override
        public Buffer body() {
            return body;
        }

        /** Decoded as RoutingContext.queryParams does (a malformed query string is a 400). */
        @Override
        public MultiMap queryParams() {
            if (query == null) {
                String uri = request.uri();
                if (uri.indexOf('?') < 0) {
                    query = NO_QUERY;
                } else {
                    try {
                        MultiMap params = MultiMap.caseInsensitiveMultiMap();
                        new QueryStringDecoder(uri).parameters().forEach(params::add);
                        query = params;
                    } catch (IllegalArgumentException e) {
                        throw new HttpException(400, "Error while decoding query params", e);
                    }
                }
            }
            return query;
        }

        @Override
        public String pathParam(String name) {
            return null; // hot operations have no path parameters (Routes)
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(String key) {
            for (int i = 0; i < keys.length && keys[i] != null; i++) {
                if (keys[i].equals(key)) {
                    return (T) values[i];
                }
            }
            return null;
        }

        @Override
        public void put(String key, Object value) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == null || keys[i].equals(key)) {
                    keys[i] = key;
                    values[i] = value;
                    return;
                }
            }
            throw new IllegalStateException("More attributes than a hot route carries: " + key);
        }

        @Override
        public void addHeadersEndHandler(Handler<Void> handler) {
            if (headersEnd == null) {
                headersEnd = new ArrayList<>(2);
                request.response().headersEndHandler(v -> {
                    for (int i = headersEnd.size() - 1; i >= 0; i--) {
                        headersEnd.get(i).handle(null);
                    }
                });
            }
            headersEnd.add(handler);
        }
    }
}
