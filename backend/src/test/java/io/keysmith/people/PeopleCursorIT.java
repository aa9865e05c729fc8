package io.keysmith.people;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractSchemas;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 item 7: {@code GET /people?after=<base64 of an out-of-scope id>} answered one's own record only if it
 * sorted after the target, which recovered a hidden last name in 92 requests; and sorting by lastName told its order
 * to callers whose right on lastName is NONE. Cursors are now authenticated (HMAC) and bound to the organization,
 * the caller and the caller's sort; the order uses only fields the caller can view.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("People pages: cursors cannot name hidden records, the order never uses a hidden field")
class PeopleCursorIT {
    private static final List<String> FIELDS = ContractSchemas.personFields();

    private static TestServer server;
    private static Api api;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("people_cursor");
        api = new Api(vertx, server.port());
        owner = api.signUp("Cursor Org", uniqueEmail("cursor-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String forged(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static Session member(String levelName, String scope, Map<String, String> rights, String... perms) {
        JsonObject level = api.createAccessLevel(owner, Api.accessLevelBody(levelName, scope, rights, perms));
        return api.createSignedInUser(owner, uniqueEmail(levelName.replace(' ', '-')), level.getString("id"));
    }

    private static Map<String, String> all(String right) {
        Map<String, String> m = new LinkedHashMap<>();
        FIELDS.forEach(f -> m.put(f, right));
        return m;
    }

    @Test
    void aCursorForgedFromAHiddenRecordsId_isRefused_soTheBinarySearchRecoversNothing() {
        String target = api.createPerson(
                        owner, new JsonObject().put("firstName", "Hidden").put("lastName", "Quintero"))
                .getString("id");
        // the attacker: scope OWN, may edit their own last name, linked to a record of their own
        Map<String, String> rights = all("NONE");
        rights.put("firstName", "EDIT");
        rights.put("lastName", "EDIT");
        Session attacker = member("Self editor", "OWN", rights, "people:read", "people:update");
        String own = api.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Eve")
                                .put("lastName", "M")
                                .put("userId", attacker.userId()))
                .getString("id");

        // the reproduction, scaled down to the first three letters: set one's own last name to a probe and see
        // whether one's record still comes after the hidden one
        StringBuilder recovered = new StringBuilder();
        int requests = 0;
        outer:
        for (int position = 0; position < 3; position++) {
            // the largest letter whose probe does not sort after the target is the target's letter
            char lo = 'a', hi = 'z';
            while (lo < hi) {
                char mid = (char) ((lo + hi + 1) / 2);
                String probe = capitalized(recovered + String.valueOf(mid));
                assertThat(api.patch("/api/v1/people/" + own, attacker, new JsonObject().put("lastName", probe))
                                .statusCode())
                        .isEqualTo(200);
                HttpResponse<Buffer> r = api.get("/api/v1/people?after=" + forged(target), attacker);
                requests += 2;
                if (r.statusCode() != 200) {
                    break outer; // the oracle is gone
                }
                boolean sortsAfter = !r.bodyAsJsonObject().getJsonArray("items").isEmpty();
                if (sortsAfter) {
                    hi = (char) (mid - 1);
                } else {
                    lo = mid;
                }
            }
            recovered.append(lo);
        }
        assertThat(requests).isGreaterThan(0);
        assertThat(recovered.toString())
                .as("letters recovered in %d requests", requests)
                .isNotEqualTo("qui");
        assertThat(recovered.length()).as("no oracle answered").isZero();
        HttpResponse<Buffer> direct = api.get("/api/v1/people?after=" + forged(target), attacker);
        assertThat(problem(direct, 400).getString("field")).isEqualTo("after");
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Test
    void theOrder_neverUsesAFieldTheCallerCannotView() {
        // last names in the reverse order of creation; the caller sees first names only
        List<String> lastNames = List.of("Zeta", "Yates", "Xu", "Webb", "Vance", "Ulm");
        for (String last : lastNames) {
            api.createPerson(owner, new JsonObject().put("firstName", "Ordered").put("lastName", last));
        }
        Map<String, String> rights = all("NONE");
        rights.put("firstName", "VIEW");
        rights.put("department", "VIEW");
        Session blind = member("No last names", "ALL", rights, "people:read");
        List<String> ids = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<Buffer> r =
                    api.get("/api/v1/people?limit=2" + (after == null ? "" : "&after=" + after), blind);
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            JsonObject page = r.bodyAsJsonObject();
            page.getJsonArray("items").forEach(o -> {
                assertThat(((JsonObject) o).containsKey("lastName")).isFalse();
                ids.add(((JsonObject) o).getString("id"));
            });
            after = page.getString("next");
        } while (after != null);
        assertThat(ids).hasSizeGreaterThanOrEqualTo(lastNames.size());
        List<String> byId = new ArrayList<>(ids);
        byId.sort(String::compareTo);
        assertThat(ids)
                .as("the order is the ids' (a stable order that reveals nothing)")
                .isEqualTo(byId);
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void aCursor_isBoundToItsOrganizationCallerAndSort_andCannotBeTamperedWith() {
        for (int i = 0; i < 3; i++) {
            api.createPerson(
                    owner, new JsonObject().put("firstName", "Page" + i).put("lastName", "Paged" + i));
        }
        JsonObject page = api.get("/api/v1/people?limit=1", owner).bodyAsJsonObject();
        String next = page.getString("next");
        assertThat(next).isNotNull();
        assertThat(api.get("/api/v1/people?limit=1&after=" + next, owner).statusCode())
                .isEqualTo(200);

        // another organization's admin
        Session other = api.signUp("Other Cursor Org", uniqueEmail("cursor-other"));
        assertThat(problem(api.get("/api/v1/people?after=" + next, other), 400).getString("field"))
                .isEqualTo("after");
        // a weaker user of the same organization, whose sort differs (no last names)
        Map<String, String> rights = all("NONE");
        rights.put("firstName", "VIEW");
        Session weaker = member("Weaker pager", "ALL", rights, "people:read");
        assertThat(problem(api.get("/api/v1/people?after=" + next, weaker), 400).getString("field"))
                .isEqualTo("after");
        // one character changed
        char c = next.charAt(next.length() / 2);
        String tampered =
                next.substring(0, next.length() / 2) + (c == 'A' ? 'B' : 'A') + next.substring(next.length() / 2 + 1);
        assertThat(problem(api.get("/api/v1/people?after=" + tampered, owner), 400)
                        .getString("field"))
                .isEqualTo("after");
        // oversized and garbage
        assertThat(api.get("/api/v1/people?after=" + "A".repeat(300), owner).statusCode())
                .isEqualTo(400);
        assertThat(api.get("/api/v1/people?after=%2F%2F..", owner).statusCode()).isEqualTo(400);
    }

    @Test
    void aKeyCannotUseACursorForgedFromAnId_either() {
        JsonArray items =
                api.get("/api/v1/people?limit=1", owner).bodyAsJsonObject().getJsonArray("items");
        assertThat(items).isNotEmpty();
        String id = items.getJsonObject(0).getString("id");
        assertThat(problem(api.get("/api/v1/people?after=" + forged(id), owner), 400)
                        .getString("field"))
                .isEqualTo("after");
    }
}
