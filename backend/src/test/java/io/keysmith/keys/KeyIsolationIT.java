package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.KeysApi.Scheme;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys belong to one organization and, without "manage ALL", to one user: another organization's admin and another
 * employee find nothing (404) and change nothing; a key reads its own organization's people only; an admin with
 * manage ALL lists every key, filtered and paged by keyset.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("API keys are bound to their organization and, without manage ALL, to their owner")
class KeyIsolationIT {
    private static TestServer server;
    private static KeysApi api;
    private static Session a;
    private static Session b;
    private static final List<String> A_PEOPLE = new ArrayList<>();
    private static String bPerson;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "key_isolation", KeysApi.manyFailures());
        server = api.server();
        a = api.signUp("Isolation Org A", uniqueEmail("iso-a"));
        b = api.signUp("Isolation Org B", uniqueEmail("iso-b"));
        for (String last : List.of("Alpha", "Aster")) {
            A_PEOPLE.add(
                    api.createPerson(a, new JsonObject().put("firstName", "Ann").put("lastName", last))
                            .getString("id"));
        }
        bPerson = api.createPerson(b, new JsonObject().put("firstName", "Bea").put("lastName", "OnlyInB"))
                .getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** The stored row of a key as the database owner sees it (past row-level security), as comparable text. */
    private static String row(String keyId) throws Exception {
        try (Connection c = PostgresFixture.get().ownerConnection(server.database.getDatabase());
                PreparedStatement ps = c.prepareStatement("SELECT to_jsonb(k)::text FROM api_keys k WHERE k.id = ?")) {
            ps.setObject(1, UUID.fromString(keyId));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("key %s stored", keyId).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** Every key operation on {@code keyId}, as {@code caller}. */
    private static List<Reply> everyOperation(Session caller, String keyId, String transferTo) {
        String path = "/api/v1/api-keys/" + keyId;
        return List.of(
                api.get(path, caller),
                api.patch(path, caller, new JsonObject().put("name", "taken over")),
                api.patch(
                        path,
                        caller,
                        new JsonObject().put("permissionMode", "SCOPED").put("permissions", new JsonArray())),
                api.post(path + "/disable", caller, null),
                api.post(path + "/enable", caller, null),
                api.post(path + "/rotate", caller, new JsonObject().put("gracePeriodSeconds", 0)),
                api.post(path + "/rotate", caller, new JsonObject().put("gracePeriodSeconds", 3600)),
                api.post(path + "/transfer", caller, new JsonObject().put("ownerUserId", transferTo)),
                api.get(path + "/usage", caller),
                api.post(path + "/revoke", caller, null));
    }

    private static List<String> ids(Reply page) {
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        return page.items().stream().map(k -> ((JsonObject) k).getString("id")).toList();
    }

    @Test
    @DisplayName("another organization's admin gets 404 from every operation on a key and changes nothing")
    void anotherOrganizationFindsNothing() throws Exception {
        JsonObject created = api.createKey(a, keyBody("a's key", "PEOPLE", "INHERIT"));
        String keyId = created.getJsonObject("key").getString("id");
        String secret = created.getString("secret");
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(200);
        String before = row(keyId);

        for (Reply r : everyOperation(b, keyId, b.userId())) {
            assertThat(problem(r, 404).getString("detail")).as(r.toString()).doesNotContain("Isolation Org A");
            assertThat(r.body()).doesNotContain(a.userId()).doesNotContain("a's key");
        }
        assertThat(row(keyId)).as("A's key is unchanged").isEqualTo(before);
        assertThat(api.get("/api/v1/organization/api-keys", b).body()).doesNotContain(keyId);
        assertThat(api.get("/api/v1/organization/api-keys?ownerUserId=" + a.userId(), b)
                        .items())
                .isEmpty();
        assertThat(api.get("/api/v1/api-keys", b).body()).doesNotContain(keyId);
        assertThat(api.withKey("/api/v1/people", secret).status())
                .as("and it still works")
                .isEqualTo(200);
        assertThat(api.getKey(a, keyId).json().getString("name")).isEqualTo("a's key");
    }

    @Test
    @DisplayName(
            "a key reads its own organization's people only: the other organization's records are neither listed nor reachable by id")
    void aKeyReadsItsOwnOrganizationOnly() {
        String aKey = api.createKey(a, keyBody("a reader", "PEOPLE", "INHERIT")).getString("secret");
        String bKey = api.createKey(b, keyBody("b reader", "PEOPLE", "INHERIT")).getString("secret");
        for (Scheme scheme : Scheme.values()) {
            Reply listed = api.withKey("/api/v1/people?limit=200", aKey, scheme);
            assertThat(ids(listed)).containsExactlyInAnyOrderElementsOf(A_PEOPLE);
            assertThat(listed.body()).doesNotContain("OnlyInB");
        }
        assertThat(ids(api.withKey("/api/v1/people?limit=200", bKey))).containsExactly(bPerson);
        problem(api.withKey("/api/v1/people/" + bPerson, aKey), 404);
        assertThat(api.withKey("/api/v1/people/" + A_PEOPLE.get(0), aKey).status())
                .isEqualTo(200);
        problem(api.withKey("/api/v1/people/" + A_PEOPLE.get(0), bKey), 404);

        String aAudit = api.createKey(a, keyBody("a audit", "AUDIT", "INHERIT")).getString("secret");
        Reply events = api.withKey("/api/v1/audit-events?limit=200", aAudit);
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        assertThat(events.body()).doesNotContain(b.userId()).doesNotContain("b reader");
    }

    @Test
    @DisplayName(
            "an Employee cannot see or change another user's key (404), cannot create one for another user (403) and cannot list the organization's keys")
    void employeesKeepToTheirOwnKeys() throws Exception {
        Session e1 = api.createSignedInUser(a, uniqueEmail("iso-e1"), null);
        Session e2 = api.createSignedInUser(a, uniqueEmail("iso-e2"), null);
        JsonObject created = api.createKey(e1, keyBody("e1's key", "PEOPLE", "INHERIT"));
        String keyId = created.getJsonObject("key").getString("id");
        assertThat(api.withKey("/api/v1/people", created.getString("secret")).status())
                .isEqualTo(200);
        String before = row(keyId);

        for (Reply r : everyOperation(e2, keyId, e2.userId())) {
            // transfer needs manage ALL before anything else is looked at: 403 or 404, never a change
            assertThat(r.status()).as(r.toString()).isIn(403, 404);
            if (!r.path().endsWith("/transfer")) {
                problem(r, 404);
            }
        }
        assertThat(row(keyId)).as("e1's key is unchanged").isEqualTo(before);
        assertThat(api.get("/api/v1/api-keys", e2).body()).doesNotContain(keyId);
        assertThat(ids(api.get("/api/v1/api-keys", e1))).containsExactly(keyId);

        Reply forOther =
                api.createKeyReply(e2, keyBody("for e1", "PEOPLE", "INHERIT").put("ownerUserId", e1.userId()));
        problem(forOther, 403);
        assertThat(ids(api.get("/api/v1/api-keys", e1)))
                .as("nothing was created for e1")
                .containsExactly(keyId);
        problem(api.get("/api/v1/organization/api-keys", e2), 403);
        // the owner of the key (manage ALL) does see and change it
        assertThat(api.getKey(a, keyId).status()).isEqualTo(200);
        assertThat(api.patchKey(a, keyId, new JsonObject().put("description", "seen by the admin"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    @DisplayName(
            "a Full Admin lists every key of the organization, filtered by owner, status and API type, in keyset pages of 2")
    void aFullAdminListsAllKeys() {
        Session owner = api.signUp("Listing Org", uniqueEmail("list-owner"));
        Session admin = api.createSignedInUser(owner, uniqueEmail("list-admin"), api.builtinLevel(owner, "FULL_ADMIN"));
        Session employee = api.createSignedInUser(owner, uniqueEmail("list-employee"), null);
        List<String> created = new ArrayList<>();
        created.add(api.createKey(owner, keyBody("k1", "PEOPLE", "INHERIT"))
                .getJsonObject("key")
                .getString("id"));
        created.add(api.createKey(owner, keyBody("k2", "AUDIT", "INHERIT"))
                .getJsonObject("key")
                .getString("id"));
        created.add(api.createKey(employee, keyBody("k3", "PEOPLE", "INHERIT"))
                .getJsonObject("key")
                .getString("id"));
        created.add(api.createKey(admin, keyBody("k4", "PEOPLE", "INHERIT").put("ownerUserId", employee.userId()))
                .getJsonObject("key")
                .getString("id"));
        created.add(api.createKey(admin, keyBody("k5", "PEOPLE", "INHERIT"))
                .getJsonObject("key")
                .getString("id"));
        assertThat(api.keyAction(admin, created.get(4), "disable", null).status())
                .isEqualTo(200);

        assertThat(ids(api.get("/api/v1/organization/api-keys", admin))).containsExactlyElementsOf(created);
        assertThat(ids(api.get("/api/v1/organization/api-keys?ownerUserId=" + employee.userId(), admin)))
                .containsExactly(created.get(2), created.get(3));
        assertThat(ids(api.get("/api/v1/organization/api-keys?status=DISABLED", admin)))
                .containsExactly(created.get(4));
        assertThat(ids(api.get("/api/v1/organization/api-keys?status=ACTIVE", admin)))
                .containsExactlyElementsOf(created.subList(0, 4));
        assertThat(ids(api.get("/api/v1/organization/api-keys?apiType=AUDIT", admin)))
                .containsExactly(created.get(1));
        assertThat(ids(api.get("/api/v1/organization/api-keys?apiType=PEOPLE&ownerUserId=" + owner.userId(), admin)))
                .containsExactly(created.get(0));
        assertThat(ids(api.get("/api/v1/api-keys", employee)))
                .as("the employee's own list")
                .containsExactly(created.get(2), created.get(3));

        Set<String> seen = new LinkedHashSet<>();
        List<Integer> sizes = new ArrayList<>();
        String next = null;
        do {
            Reply page =
                    api.get("/api/v1/organization/api-keys?limit=2" + (next == null ? "" : "&after=" + next), admin);
            List<String> pageIds = ids(page);
            sizes.add(pageIds.size());
            for (String id : pageIds) {
                assertThat(seen.add(id)).as("%s listed twice", id).isTrue();
            }
            next = page.json().getString("next");
            assertThat(sizes.size()).as("pages").isLessThanOrEqualTo(4);
        } while (next != null);
        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(new ArrayList<>(seen)).containsExactlyElementsOf(created);

        Reply filteredPage = api.get("/api/v1/organization/api-keys?limit=2&status=ACTIVE", admin);
        assertThat(ids(filteredPage)).containsExactly(created.get(0), created.get(1));
        Reply rest = api.get(
                "/api/v1/organization/api-keys?limit=2&status=ACTIVE&after="
                        + filteredPage.json().getString("next"),
                admin);
        assertThat(ids(rest)).containsExactly(created.get(2), created.get(3));

        problem(api.get("/api/v1/organization/api-keys?after=not-a-cursor!", admin), 400);
        problem(api.get("/api/v1/organization/api-keys", employee), 403);
        assertThat(api.call(
                                HttpMethod.GET,
                                "/api/v1/organization/api-keys",
                                null,
                                null,
                                java.util.Map.of(
                                        "Authorization", KeysApi.authorization(KeyFormat.generate(), Scheme.BEARER)))
                        .status())
                .isEqualTo(401);
    }
}
