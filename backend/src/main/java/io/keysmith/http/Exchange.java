package io.keysmith.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One request as the hot operations' steps see it: routed (a vertx-web {@link RoutingContext}) or raw (the HTTP
 * server's request, answered by {@link FastPath} without vertx-web). The steps of verify and forward-auth are
 * written once against this, so both paths run the very same code (issue 12 item 5; FastPathIT compares them).
 */
public interface Exchange {
    HttpServerRequest request();

    HttpServerResponse response();

    Vertx vertx();

    /** The body read by the operation's body step, or null when the request had none. */
    Buffer body();

    MultiMap queryParams();

    /** A decoded path parameter (the raw path serves only operations without any). */
    String pathParam(String name);

    <T> T get(String key);

    void put(String key, Object value);

    /** Runs as the answer's headers are written, last added first (as vertx-web does). */
    void addHeadersEndHandler(Handler<Void> handler);

    void next();

    void fail(Throwable failure);

    /** One step of a hot operation's route, runnable on the router and on the raw path alike. */
    interface Step extends Handler<RoutingContext> {
        void handle(Exchange x);

        @Override
        default void handle(RoutingContext rc) {
            handle(of(rc));
        }
    }

    static Exchange of(RoutingContext rc) {
        return new Routed(rc);
    }

    /** The routed request: everything delegates to vertx-web's context. */
    record Routed(RoutingContext rc) implements Exchange {
        @Override
        public HttpServerRequest request() {
            return rc.request();
        }

        @Override
        public HttpServerResponse response() {
            return rc.response();
        }

        @Override
        public Vertx vertx() {
            return rc.vertx();
        }

        @Override
        public Buffer body() {
            return rc.body() == null ? null : rc.body().buffer();
        }

        @Override
        public MultiMap queryParams() {
            return rc.queryParams();
        }

        @Override
        public String pathParam(String name) {
            return rc.pathParam(name);
        }

        @Override
        public <T> T get(String key) {
            return rc.get(key);
        }

        @Override
        public void put(String key, Object value) {
            rc.put(key, value);
        }

        @Override
        public void addHeadersEndHandler(Handler<Void> handler) {
            rc.addHeadersEndHandler(handler);
        }

        @Override
        public void next() {
            rc.next();
        }

        @Override
        public void fail(Throwable failure) {
            rc.fail(failure);
        }
    }
}
