package io.keysmith.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A partner's protected service behind a gateway (not Keysmith's own data API): answers 200 "partner data" to
 * everything and records each request it received, so a test can prove refused requests never reached it.
 */
public final class PartnerUpstream implements AutoCloseable {
    public static final String BODY = "partner data";

    /** One request as the upstream saw it. */
    public record Seen(String method, String uri, Map<String, String> headers) {}

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private PartnerUpstream(HttpServer server) {
        this.server = server;
    }

    public static PartnerUpstream start(Vertx vertx) {
        PartnerUpstream[] self = new PartnerUpstream[1];
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"));
        self[0] = new PartnerUpstream(server);
        server.requestHandler(req -> {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
            self[0].seen.add(new Seen(req.method().name(), req.uri(), headers));
            req.response().putHeader("content-type", "text/plain").end(BODY);
        });
        server.listen(0).await();
        return self[0];
    }

    public int port() {
        return server.actualPort();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public void clear() {
        seen.clear();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
