package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Every failure is RFC 9457 problem+json")
class ErrorResponsesIT {
    private static TestServer server;
    private static Api http;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("errors");
        http = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static JsonObject problem(HttpResponse<Buffer> r, int status) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.getHeader("content-type")).isEqualTo("application/problem+json");
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("type")).startsWith(ApiProblem.TYPE_BASE);
        assertThat(body.getString("title")).isNotBlank();
        assertThat(body.getInteger("status")).isEqualTo(status);
        return body;
    }

    @Test
    void contractViolation_is400_namingTheField() {
        JsonObject tooLong =
                problem(http.postJson("/api/v1/key-format/check", new JsonObject().put("key", "x".repeat(201))), 400);
        assertThat(tooLong.getString("field")).isEqualTo("key");
        assertThat(tooLong.getString("detail")).isEqualTo("Field 'key' is too long");

        JsonObject empty = problem(http.postJson("/api/v1/key-format/check", new JsonObject().put("key", "")), 400);
        assertThat(empty.getString("detail")).isEqualTo("Field 'key' is too short");

        JsonObject missing = problem(http.postJson("/api/v1/key-format/check", new JsonObject()), 400);
        assertThat(missing.getString("field")).isEqualTo("key");

        JsonObject wrongType = problem(http.postJson("/api/v1/key-format/check", new JsonObject().put("key", 42)), 400);
        assertThat(wrongType.getString("detail")).startsWith("Field 'key' has the wrong type");

        JsonObject extra = problem(
                http.postJson(
                        "/api/v1/key-format/check",
                        new JsonObject().put("key", "k").put("admin", true)),
                400);
        assertThat(extra.getString("field")).isEqualTo("admin");
        assertThat(extra.getString("detail")).contains("not allowed");
    }

    @Test
    void malformedJson_is400() {
        JsonObject p =
                problem(http.raw(HttpMethod.POST, "/api/v1/key-format/check", "application/json", "{\"key\":"), 400);
        assertThat(p.getString("detail")).isEqualTo("The body is not valid JSON");
        problem(http.raw(HttpMethod.POST, "/api/v1/key-format/check", "application/json", null), 400);
    }

    @Test
    void unknownApiPath_is404_andNoSpaFallback() {
        JsonObject p = problem(http.get("/api/v1/does-not-exist"), 404);
        assertThat(p.getString("instance")).isEqualTo("/api/v1/does-not-exist");
        problem(http.raw(HttpMethod.POST, "/api/v1/does-not-exist", "application/json", "{}"), 404);
    }

    @Test
    void wrongMethod_is405() {
        problem(http.raw(HttpMethod.DELETE, "/api/v1/key-format/check", null, null), 405);
        problem(http.raw(HttpMethod.PUT, "/health/live", null, null), 405);
    }

    @Test
    void bodyOverTheLimit_is413() {
        String big = "{\"key\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}";
        problem(http.raw(HttpMethod.POST, "/api/v1/key-format/check", "application/json", big), 413);
    }

    @Test
    void nonJsonBody_is415() {
        problem(http.raw(HttpMethod.POST, "/api/v1/key-format/check", "text/plain", "ksk_123"), 415);
        problem(
                http.raw(HttpMethod.POST, "/api/v1/key-format/check", "application/x-www-form-urlencoded", "key=a"),
                415);
    }

    @Test
    void unexpectedFailure_is500_withoutInternals(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/boom").handler(rc -> {
            throw new IllegalStateException("connection string postgresql://admin:hunter2@db");
        });
        ErrorPages.install(router);
        var server = vertx.createHttpServer().requestHandler(router).listen(0).await();
        try {
            HttpResponse<Buffer> r = new Api(vertx, server.actualPort()).get("/boom");
            JsonObject p = problem(r, 500);
            assertThat(r.bodyAsString()).doesNotContain("hunter2").doesNotContain("IllegalStateException");
            assertThat(p.getString("detail")).contains("error id");
        } finally {
            server.close().await();
        }
    }

    @Test
    void validRequest_passesValidation() {
        HttpResponse<Buffer> r = http.postJson("/api/v1/key-format/check", new JsonObject().put("key", "ksk_nope"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getBoolean("wellFormed")).isFalse();
        assertThat(r.bodyAsJsonObject().getString("reason")).isEqualTo("LENGTH");
    }

    @Test
    void aUrlOver8Kb_is414ProblemJson_aUrlJustUnder8Kb_reachesItsRoute_andTheServerKeepsServing() {
        JsonObject tooLong = problem(http.get("/api/v1/me?pad=" + "a".repeat(9000)), 414);
        assertThat(tooLong.getString("type")).isEqualTo(ApiProblem.TYPE_BASE + "uri-too-long");
        assertThat(tooLong.getString("detail")).contains("8 KB");

        // 8,000 characters: past Vert.x's default limit (4,096), within the server's: the route answers (401 here)
        String under = "/api/v1/me?pad=" + "a".repeat(8000 - "/api/v1/me?pad=".length());
        assertThat(under).hasSize(8000);
        problem(http.get(under), 401);

        JsonObject headers = problem(
                http.request(HttpMethod.GET, "/api/v1/me", null)
                        .putHeader("X-Padding", "h".repeat(20_000))
                        .send()
                        .await(),
                431);
        assertThat(headers.getString("type")).isEqualTo(ApiProblem.TYPE_BASE + "headers-too-large");

        problem(http.get("/api/v1/me"), 401); // a fresh connection after the refused ones
    }
}
