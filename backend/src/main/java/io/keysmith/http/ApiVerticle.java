package io.keysmith.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The public HTTP server (API, SPA, health); one instance per event loop, each with its own router. */
public final class ApiVerticle extends VerticleBase {

    /** What every instance shares. */
    public record Setup(
            String host,
            int port,
            long bodyLimit,
            boolean accessLog,
            int shutdownGraceSeconds,
            OpenAPIContract contract,
            Routes.Handlers handlers,
            Routes.Security security,
            AtomicInteger actualPort) {}

    private final Setup setup;
    private HttpServer server;

    public ApiVerticle(Setup setup) {
        this.setup = setup;
    }

    @Override
    public Future<?> start() {
        Router root = Router.router(vertx);
        if (setup.accessLog()) {
            root.route().handler(AccessLog::handle);
        }
        root.route().handler(SecurityHeaders::apply);
        // bodies are read per operation, each to its own limit (Routes, BodyLimits)
        Routes.Built routes =
                Routes.build(vertx, setup.contract(), setup.handlers(), setup.security(), setup.bodyLimit());
        root.route("/*").subRouter(routes.router());
        FastPath fast = FastPath.of(vertx, routes.hot(), setup.accessLog());
        new WebApp(vertx).mount(root);
        // an /api request no operation took: 405 if the contract has the path, else 404 (the SPA's GET routes would
        // otherwise make every unknown path a 405)
        root.route("/api/*")
                .handler(rc -> rc.fail(setup.contract().findPath(rc.request().path()) != null ? 405 : 404));
        ErrorPages.install(root);

        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(setup.host())
                .setPort(setup.port())
                .setCompressionSupported(true)
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setIdleTimeout(120));
        // A request the decoder refused (URI or headers too long, a malformed line) never reaches a route: it is
        // answered here, as problem+json like every other failure, instead of Vert.x's bare status.
        server.invalidRequestHandler(request -> FailureHandler.invalidRequest(vertx, request));
        return server.requestHandler(request -> {
                    if (!fast.handle(request)) {
                        root.handle(request);
                    }
                })
                .listen()
                .onSuccess(s -> setup.actualPort().set(s.actualPort()));
    }

    /** A URI of up to 8 KB, with room for the method and the protocol version around it; longer ones answer 414. */
    static final int MAX_REQUEST_LINE = 8192 + 32;

    @Override
    public Future<?> stop() {
        // stop accepting, let in-flight requests finish within the grace period
        return server.shutdown(setup.shutdownGraceSeconds(), TimeUnit.SECONDS);
    }
}
