package io.keysmith.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * The hot routes (verify, forward-auth) on a router of their own, taken by exact method and raw path before the
 * main router (issue 12 item 5: the main router walks its access log, security headers, a sub-router and the
 * contract's routes for every request). The operation's handler chain is the one {@link Routes} built from the
 * contract for the routed path, so body limit, authentication, throttle, guard, check and handler are the same
 * objects; the access log, security headers and problem+json failures are installed as on the main router. Any
 * other spelling of the path (a trailing slash, an encoded character, another method) goes to the main router.
 * FastPathIT proves both answer alike.
 */
final class FastPath {
    /** Requests the fast path took, in all servers of this JVM (FastPathIT checks which path answered). */
    private static final java.util.concurrent.atomic.LongAdder TAKEN = new java.util.concurrent.atomic.LongAdder();

    static long taken() {
        return TAKEN.sum();
    }

    private final Router router;
    private final HttpMethod[] methods;
    private final String[] paths;

    private FastPath(Router router, HttpMethod[] methods, String[] paths) {
        this.router = router;
        this.methods = methods;
        this.paths = paths;
    }

    static FastPath of(Vertx vertx, Map<String, Routes.Chain> hot, boolean accessLog) {
        Router router = Router.router(vertx);
        if (accessLog) {
            router.route().handler(AccessLog::handle);
        }
        router.route().handler(SecurityHeaders::apply);
        HttpMethod[] methods = new HttpMethod[hot.size()];
        String[] paths = new String[hot.size()];
        int i = 0;
        for (Routes.Chain chain : hot.values()) {
            methods[i] = chain.operation().getHttpMethod();
            paths[i] = chain.operation().getOpenAPIPath();
            Route route = router.route(methods[i], paths[i]);
            chain.handlers().forEach(route::handler);
            i++;
        }
        ErrorPages.install(router);
        return new FastPath(router, methods, paths);
    }

    /** The fast path's router when {@code request} is exactly one of the hot operations, else null. */
    Router routerFor(HttpServerRequest request) {
        HttpMethod method = request.method();
        String path = request.path();
        for (int i = 0; i < paths.length; i++) {
            if (paths[i].equals(path) && methods[i].equals(method)) {
                TAKEN.increment();
                return router;
            }
        }
        return null;
    }
}
