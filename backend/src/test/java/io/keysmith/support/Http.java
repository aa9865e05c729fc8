package io.keysmith.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A blocking HTTP client for tests that read top to bottom. */
public final class Http {
    private final WebClient client;
    private final int port;

    public Http(Vertx vertx, int port) {
        this.client = WebClient.create(
                vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setFollowRedirects(false));
        this.port = port;
    }

    public HttpResponse<Buffer> get(String path) {
        return client.request(HttpMethod.GET, port, "127.0.0.1", path).send().await();
    }

    public HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, String body) {
        var req = client.request(method, port, "127.0.0.1", path);
        if (contentType != null) {
            req.putHeader("content-type", contentType);
        }
        return body == null
                ? req.send().await()
                : req.sendBuffer(Buffer.buffer(body)).await();
    }

    public HttpResponse<Buffer> postJson(String path, JsonObject body) {
        return send(HttpMethod.POST, path, "application/json", body.encode());
    }
}
