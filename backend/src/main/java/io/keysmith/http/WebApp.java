package io.keysmith.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The SPA, the contract and the API reference. Hashed assets are cached for a year; index.html never, so a deploy
 * is picked up on the next navigation. Any other GET outside /api returns index.html so deep links work.
 */
final class WebApp {
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final Buffer indexHtml;
    private final Buffer contract;

    WebApp(Vertx vertx) {
        this.indexHtml = readOrPlaceholder(vertx, "webroot/index.html");
        this.contract = vertx.fileSystem().readFileBlocking("openapi.yaml");
    }

    void mount(Router root) {
        root.get("/openapi.yaml")
                .handler(rc -> rc.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                        .end(contract));
        root.get("/docs").handler(rc -> {
            if (rc.request().path().equals("/docs")) { // vert.x also matches "/docs/" here
                rc.redirect("/docs/");
            } else {
                rc.next();
            }
        });
        root.route("/assets/*").handler(rc -> {
            rc.response().putHeader(HttpHeaders.CACHE_CONTROL, IMMUTABLE);
            rc.next();
        });
        root.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(rc -> {
            if (!rc.request().path().startsWith("/assets/")) {
                rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
            }
            rc.next();
        });
        root.route()
                .method(HttpMethod.GET)
                .method(HttpMethod.HEAD)
                .handler(StaticHandler.create("webroot")
                        .setCachingEnabled(false)
                        .setSendVaryHeader(false)
                        .setDirectoryListing(false)
                        .setIndexPage("index.html"));
        root.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::spaFallback);
    }

    private void spaFallback(RoutingContext rc) {
        String path = rc.request().path();
        if (path.startsWith("/api/")
                || path.equals("/api")
                || path.startsWith("/assets/")
                || path.startsWith("/health/")) {
            rc.next(); // a real 404, answered as problem+json
            return;
        }
        rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(indexHtml);
    }

    private static Buffer readOrPlaceholder(Vertx vertx, String path) {
        if (vertx.fileSystem().existsBlocking(path)) {
            return vertx.fileSystem().readFileBlocking(path);
        }
        return Buffer.buffer("<!doctype html><title>Keysmith</title><p>The web app was not built into this jar.");
    }
}
