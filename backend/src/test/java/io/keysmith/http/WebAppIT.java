package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The SPA shell, the contract and the API reference are served with the right headers")
class WebAppIT {
    private static TestServer server;
    private static Api http;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("webapp");
        http = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void index_isServed_neverCached_withSecurityHeaders() {
        var r = http.get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.getHeader("content-type")).startsWith("text/html");
        assertThat(r.getHeader("cache-control")).isEqualTo("no-cache");
        assertThat(r.bodyAsString()).contains("<div id=\"root\">");
        String csp = r.getHeader("content-security-policy");
        assertThat(csp)
                .contains("script-src 'self'")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-eval");
        assertThat(csp.substring(csp.indexOf("script-src"), csp.indexOf(';', csp.indexOf("script-src"))))
                .doesNotContain("unsafe-inline");
        assertThat(r.getHeader("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.getHeader("referrer-policy")).isEqualTo("no-referrer");
        assertThat(r.bodyAsString()).doesNotContainPattern("<script>[^<]"); // no inline script
    }

    @Test
    void deepLinks_returnTheIndex() {
        var r = http.get("/settings/api-management");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsString()).isEqualTo(http.get("/").bodyAsString());
        assertThat(r.getHeader("cache-control")).isEqualTo("no-cache");
    }

    @Test
    void hashedAssets_areCachedForAYear() {
        Matcher m = Pattern.compile("/assets/[^\"]+\\.js").matcher(http.get("/").bodyAsString());
        assertThat(m.find()).as("index.html references a hashed script").isTrue();
        var asset = http.get(m.group());
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.getHeader("cache-control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(http.get("/assets/missing-0000.js").statusCode()).isEqualTo(404);
    }

    @Test
    void contract_andApiReference_areServed() {
        var yaml = http.get("/openapi.yaml");
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.bodyAsString()).startsWith("openapi: 3.1.0").contains("operationId: getLiveness");
        assertThat(http.get("/docs").statusCode()).isEqualTo(302);
        var docs = http.get("/docs/");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.bodyAsString()).contains("swagger-ui");
        assertThat(http.get("/docs/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
    }
}
