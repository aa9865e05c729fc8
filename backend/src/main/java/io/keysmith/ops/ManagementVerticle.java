package io.keysmith.ops;

import io.keysmith.http.ErrorPages;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The management port: Prometheus metrics and the health probes. Kept off the public port because metrics carry
 * organization and key ids; the Ingress never routes here.
 */
public final class ManagementVerticle extends VerticleBase {
    private final String host;
    private final int port;
    private final PrometheusMeterRegistry registry;
    private final HealthHandlers health;
    private final AtomicInteger actualPort;
    private HttpServer server;

    public ManagementVerticle(
            String host, int port, PrometheusMeterRegistry registry, HealthHandlers health, AtomicInteger actualPort) {
        this.host = host;
        this.port = port;
        this.registry = registry;
        this.health = health;
        this.actualPort = actualPort;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health/live").handler(health::live);
        router.get("/health/ready").handler(health::ready);
        // scraping walks every meter: off the event loop
        router.get("/metrics")
                .blockingHandler(rc -> rc.response()
                        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape()));
        ErrorPages.install(router);
        server = vertx.createHttpServer().requestHandler(router);
        return server.listen(port, host).onSuccess(s -> actualPort.set(s.actualPort()));
    }

    @Override
    public Future<?> stop() {
        return server.close();
    }
}
