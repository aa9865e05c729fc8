package io.keysmith.accesslevels;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 item 8: names accepted homoglyph, zero-width and bidi characters and CR/LF ({@code "Full Аdmin"} with a
 * Cyrillic А beside the real Full Admin, {@code "Account Owner\u202e"}). Names are NFC-normalized; control,
 * zero-width and bidi characters are refused naming the field; access-level names are unique after confusable
 * folding (UTS #39 skeletons).
 */
@ExtendWith(VertxExtension.class)
@DisplayName(
        "Names: normalized, no control / invisible / bidi characters, access levels unique after confusable folding")
class NamesIT {
    /** Each refused: a line break, a bidi override, a zero-width space, a bidi isolate, a control character. */
    static final List<String> BAD =
            List.of("Ops\r\nInjected", "Account Owner\u202e", "Full\u200bAdmin", "Left\u2067Right\u2069", "Bell\u0007");

    private static TestServer server;
    private static Api api;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("names");
        api = new Api(vertx, server.port());
        owner = api.signUp("Names Org", uniqueEmail("names-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static JsonObject level(String name) {
        return Api.accessLevelBody(name, "OWN", Map.of(), "people:read");
    }

    @Test
    void aLevelNamedLikeABuiltInWithAHomoglyph_isAConflict() {
        JsonObject p = problem(api.post("/api/v1/access-levels", owner, level("Full \u0410dmin")), 409);
        assertThat(p.getString("detail")).contains("Full Admin");
        // digits and letters that look alike, and case
        api.createAccessLevel(owner, level("Payroll 2024"));
        problem(api.post("/api/v1/access-levels", owner, level("PayroII 2O24")), 409);
        problem(api.post("/api/v1/access-levels", owner, level("payroll 2024")), 409);
        // a rename into a look-alike is refused too
        String other = api.createAccessLevel(owner, level("Harmless")).getString("id");
        problem(api.put("/api/v1/access-levels/" + other, owner, level("Ful1 Admin")), 409);
    }

    @Test
    void invisibleBidiAndControlCharacters_areRefusedNamingTheField_inEveryKindOfName() {
        for (String bad : BAD) {
            assertThat(problem(api.post("/api/v1/access-levels", owner, level(bad)), 400)
                            .getString("field"))
                    .as("access level %s", bad)
                    .isEqualTo("name");
            HttpResponse<Buffer> user = api.post(
                    "/api/v1/users",
                    owner,
                    new JsonObject()
                            .put("email", uniqueEmail("names-user"))
                            .put("firstName", bad)
                            .put("lastName", "User")
                            .put("kind", "EMPLOYEE"));
            assertThat(problem(user, 400).getString("field")).as("user %s", bad).isEqualTo("firstName");
            assertThat(problem(api.signUpResponse(bad, uniqueEmail("names-org"), Api.PASSWORD, Map.of()), 400)
                            .getString("field"))
                    .as("organization %s", bad)
                    .isEqualTo("organizationName");
            HttpResponse<Buffer> key = api.post(
                    "/api/v1/api-keys",
                    owner,
                    new JsonObject()
                            .put("name", bad)
                            .put("apiType", "PEOPLE")
                            .put("permissionMode", "SCOPED")
                            .put("permissions", new JsonArray()));
            assertThat(problem(key, 400).getString("field")).as("key %s", bad).isEqualTo("name");
            HttpResponse<Buffer> partner = api.post(
                    "/api/v1/partners", owner, new JsonObject().put("name", bad).put("website", "https://p.example"));
            assertThat(problem(partner, 400).getString("field"))
                    .as("partner %s", bad)
                    .isEqualTo("name");
        }
    }

    @Test
    void namesAreStoredNfcNormalized() {
        JsonObject created = api.createAccessLevel(owner, level("Cafe\u0301 staff"));
        assertThat(created.getString("name")).isEqualTo("Caf\u00e9 staff");
        // the composed form is the same name
        problem(api.post("/api/v1/access-levels", owner, level("Caf\u00e9 staff")), 409);
        // ordinary non-Latin names stay welcome
        assertThat(api.createAccessLevel(owner, level("Бухгалтерия")).getString("name"))
                .isEqualTo("Бухгалтерия");
        assertThat(api.createAccessLevel(owner, level("経理チーム")).getString("name"))
                .isEqualTo("経理チーム");
    }
}
