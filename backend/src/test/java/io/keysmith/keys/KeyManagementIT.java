package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17 item 2, API Management's tools on the real server and PostgreSQL: sorted lists whose cursors are bound to
 * the caller, filters and order they were issued for (issue 13 item 7's rule), the CSV export of the filtered list,
 * bulk disable/enable/revoke with a result per key, and a key's rate limit within the organization's ceiling. Each
 * against another organization, a weaker user of the same organization and bad or oversized input.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("API Management: sorted lists with bound cursors, CSV export, bulk changes, rate limits")
class KeyManagementIT {
    private static final String LIST = "/api/v1/organization/api-keys";
    private static final String MINE = "/api/v1/api-keys";
    private static final String EXPORT = "/api/v1/organization/api-keys/export";
    private static final String BULK = "/api/v1/organization/api-keys/bulk";

    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session admin;
    private static Session secondAdmin;
    private static Session employee;
    private static Session other;
    private static String otherKey;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "key_management", KeysApi.manyFailures());
        server = api.server();
        db = new DbProbe(server.database.getDatabase());
        admin = api.signUp("Management Org", uniqueEmail("mgmt-owner"));
        secondAdmin = api.createSignedInUser(admin, uniqueEmail("mgmt-admin2"), api.builtinLevel(admin, "FULL_ADMIN"));
        employee = api.createSignedInUser(admin, uniqueEmail("mgmt-employee"), null);
        other = api.signUp("Management Other Org", uniqueEmail("mgmt-other"));
        otherKey = id(api.inheritKey(other, "Other org's key", "PEOPLE"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String id(JsonObject created) {
        return created.getJsonObject("key").getString("id");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> names(Reply r) {
        List<String> out = new ArrayList<>();
        r.items().forEach(o -> out.add(((JsonObject) o).getString("name")));
        return out;
    }

    /** Every page of {@code query} with {@code limit}, following {@code next}: the names in order. */
    private static List<String> allPages(Session s, String query, int limit) {
        List<String> out = new ArrayList<>();
        String next = null;
        for (int guard = 0; guard < 100; guard++) {
            Reply page = api.get(LIST + "?limit=" + limit + "&" + query + (next == null ? "" : "&after=" + next), s);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            out.addAll(names(page));
            next = page.json().getString("next");
            if (next == null) {
                return out;
            }
        }
        throw new AssertionError("paging did not end");
    }

    // ------------------------------------------------------------------------------------------- cursors

    @Test
    @DisplayName("a hand-made cursor (base64 of another user's key id) is refused on the own and the organization list"
            + " (it was an ordering oracle on keys the caller cannot see)")
    void aForgedCursor_isRefused() {
        String adminsKey = id(api.inheritKey(admin, "Admin's own key", "PEOPLE"));
        api.inheritKey(employee, "Employee's key", "PEOPLE");
        String forged =
                Base64.getUrlEncoder().withoutPadding().encodeToString(adminsKey.getBytes(StandardCharsets.UTF_8));
        JsonObject p = problem(api.get(MINE + "?after=" + forged, employee), 400);
        assertThat(p.getString("field")).isEqualTo("after");
        problem(api.get(LIST + "?after=" + forged, admin), 400);
    }

    @Test
    @DisplayName("a cursor works only with the sort, order, filters and caller it was issued for")
    void aCursor_isBoundToItsSortFiltersAndCaller() {
        String tag = "bound-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            api.inheritKey(admin, tag + "-" + i, "PEOPLE");
        }
        Reply first = api.get(LIST + "?limit=1&sort=name&order=asc&q=" + tag, admin);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        String next = first.json().getString("next");
        assertThat(next).isNotNull();
        // as issued: works
        assertThat(api.get(LIST + "?limit=1&sort=name&order=asc&q=" + tag + "&after=" + next, admin)
                        .status())
                .isEqualTo(200);
        for (String changed : List.of(
                "sort=createdAt&order=asc&q=" + tag,
                "sort=name&order=desc&q=" + tag,
                "sort=name&order=asc&q=" + tag + "-1",
                "sort=name&order=asc",
                "sort=name&order=asc&q=" + tag + "&status=ACTIVE")) {
            JsonObject p = problem(api.get(LIST + "?limit=1&" + changed + "&after=" + next, admin), 400);
            assertThat(p.getString("field")).as(changed).isEqualTo("after");
        }
        // another admin of the same organization, and another organization's owner
        problem(api.get(LIST + "?limit=1&sort=name&order=asc&q=" + tag + "&after=" + next, secondAdmin), 400);
        problem(api.get(LIST + "?limit=1&sort=name&order=asc&q=" + tag + "&after=" + next, other), 400);
        // one bit changed
        char c = next.charAt(next.length() / 2);
        String flipped =
                next.substring(0, next.length() / 2) + (c == 'A' ? 'B' : 'A') + next.substring(next.length() / 2 + 1);
        problem(api.get(LIST + "?limit=1&sort=name&order=asc&q=" + tag + "&after=" + flipped, admin), 400);
    }

    // ------------------------------------------------------------------------------------------- sorting

    @Test
    @DisplayName("sort=name orders case-insensitively both ways, and paging one by one visits every key exactly once")
    void sortByName_ordersAndPagesCompletely() {
        String tag = "sortn" + UUID.randomUUID().toString().substring(0, 6);
        for (String n : List.of("b", "A", "c", "D")) {
            api.inheritKey(admin, tag + n, "PEOPLE");
        }
        assertThat(allPages(admin, "sort=name&order=asc&q=" + tag, 1))
                .containsExactly(tag + "A", tag + "b", tag + "c", tag + "D");
        assertThat(allPages(admin, "sort=name&order=desc&q=" + tag, 1))
                .containsExactly(tag + "D", tag + "c", tag + "b", tag + "A");
    }

    @Test
    @DisplayName("sort=expiresAt puts keys without expiry last (asc) and first (desc); sort=lastUsedAt puts never-used"
            + " keys first (asc) and last (desc); equal values page by id without loss")
    void sortByExpiryAndLastUse_placesMissingValuesAndPagesCompletely() throws Exception {
        String tag = "sorte" + UUID.randomUUID().toString().substring(0, 6);
        api.inheritKey(admin, tag + "-never", "PEOPLE");
        api.createKey(admin, keyBody(tag + "-late", "PEOPLE", "INHERIT").put("expiresAt", KeysApi.inSeconds(9000)));
        api.createKey(admin, keyBody(tag + "-soon", "PEOPLE", "INHERIT").put("expiresAt", KeysApi.inSeconds(3000)));
        api.createKey(admin, keyBody(tag + "-soon2", "PEOPLE", "INHERIT").put("expiresAt", KeysApi.inSeconds(3000)));
        List<String> asc = allPages(admin, "sort=expiresAt&order=asc&q=" + tag, 1);
        assertThat(asc).hasSize(4);
        assertThat(asc.subList(0, 2)).containsExactlyInAnyOrder(tag + "-soon", tag + "-soon2");
        assertThat(asc.subList(2, 4)).containsExactly(tag + "-late", tag + "-never");
        List<String> desc = allPages(admin, "sort=expiresAt&order=desc&q=" + tag, 1);
        assertThat(desc.subList(0, 2)).containsExactly(tag + "-never", tag + "-late");

        // last use is written behind in batches: set it directly to test the order alone
        try (Connection c = db.owner();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE api_keys SET last_used_at = now() - ?::interval" + " WHERE name = ?")) {
            s.setString(1, "1 hour");
            s.setString(2, tag + "-late");
            s.executeUpdate();
            s.setString(1, "1 minute");
            s.setString(2, tag + "-soon");
            s.executeUpdate();
        }
        List<String> used = allPages(admin, "sort=lastUsedAt&order=desc&q=" + tag, 1);
        assertThat(used.subList(0, 2)).containsExactly(tag + "-soon", tag + "-late");
        assertThat(used.subList(2, 4)).containsExactlyInAnyOrder(tag + "-never", tag + "-soon2");
        List<String> usedAsc = allPages(admin, "sort=lastUsedAt&order=asc&q=" + tag, 1);
        assertThat(usedAsc.subList(2, 4)).containsExactly(tag + "-late", tag + "-soon");
    }

    @Test
    @DisplayName("an unknown sort or order is a 400 naming the parameter; the employee's list of all keys is a 403")
    void badSortParameters_andWeakerCallers_areRefused() {
        problem(api.get(LIST + "?sort=owner_user_id", admin), 400);
        problem(api.get(LIST + "?sort=" + enc("name;DROP"), admin), 400);
        problem(api.get(LIST + "?order=sideways", admin), 400);
        problem(api.get(LIST + "?sort=name", employee), 403);
        problem(api.get(EXPORT, employee), 403);
    }

    // ------------------------------------------------------------------------------------------- export

    @Test
    @DisplayName("the CSV export holds the filtered keys in order over several pages, escapes quotes and commas,"
            + " defuses spreadsheet formulas, carries no secret, and shows nothing of another organization")
    void theExport_isFilteredOrderedEscapedAndDefused() {
        String tag = "csv" + UUID.randomUUID().toString().substring(0, 6);
        List<String> secrets = new ArrayList<>();
        // more than one page of the export's reads
        IntStream.range(0, KeyService.EXPORT_PAGE + 5)
                .forEach(i -> secrets.add(api.inheritKey(admin, tag + String.format("-%04d", i), "PEOPLE")
                        .getString("secret")));
        secrets.add(api.createKey(
                        admin,
                        keyBody(tag + "-zz \"quoted\", comma", "PEOPLE", "INHERIT")
                                .put("description", "=HYPERLINK(\"http://x.example\",\"a\")"))
                .getString("secret"));
        secrets.add(
                api.createKey(admin, keyBody(tag + "-zz2", "PEOPLE", "INHERIT").put("description", "@SUM(A1)"))
                        .getString("secret"));
        Reply r = api.get(EXPORT + "?sort=name&order=asc&q=" + enc(tag), admin);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/csv");
        assertThat(r.header("content-disposition")).contains("attachment").contains(".csv");
        String[] lines = r.body().replace("\uFEFF", "").split("\r\n");
        assertThat(lines[0]).startsWith("id,name,description,");
        assertThat(lines).hasSize(1 + KeyService.EXPORT_PAGE + 7);
        assertThat(lines[1]).contains("," + tag + "-0000,");
        assertThat(lines[KeyService.EXPORT_PAGE + 5])
                .contains("," + tag + "-" + String.format("%04d", KeyService.EXPORT_PAGE + 4) + ",");
        assertThat(lines[lines.length - 2])
                .as("quotes doubled, the cell quoted; a formula defused with an apostrophe")
                .contains(",\"" + tag + "-zz \"\"quoted\"\", comma\",")
                .contains(",\"'=HYPERLINK(\"\"http://x.example\"\",\"\"a\"\")\",");
        assertThat(lines[lines.length - 1]).contains("," + tag + "-zz2,'@SUM(A1),");
        for (String secret : secrets) {
            assertThat(r.body()).doesNotContain(secret);
        }
        // the filter holds: a status that matches none of them
        Reply revoked = api.get(EXPORT + "?status=REVOKED&q=" + enc(tag), admin);
        assertThat(revoked.body().replace("\uFEFF", "").split("\r\n")).hasSize(1);
        // another organization's export: none of these keys
        Reply theirs = api.get(EXPORT + "?q=" + enc(tag), other);
        assertThat(theirs.status()).isEqualTo(200);
        assertThat(theirs.body()).doesNotContain(tag);
        problem(api.get(EXPORT + "?sort=secret_hash", admin), 400);
    }

    // ------------------------------------------------------------------------------------------- bulk

    @Test
    @DisplayName("bulk disable changes each key, answers per key in order (another organization's: 404, revoked: 409)"
            + " and audits each key; then bulk enable and revoke")
    void bulk_changesEachKeyAndReportsPartialFailuresPerKey() {
        String a = id(api.inheritKey(employee, "bulk a", "PEOPLE"));
        String b = id(api.inheritKey(admin, "bulk b", "PEOPLE"));
        String gone = id(api.inheritKey(admin, "bulk gone", "PEOPLE"));
        assertThat(api.keyAction(admin, gone, "revoke", null).status()).isEqualTo(200);
        String unknown = UUID.randomUUID().toString();
        long auditsBefore = db.auditEvents(admin.organizationId());

        Reply r = api.post(
                BULK,
                admin,
                new JsonObject()
                        .put("action", "DISABLE")
                        .put("keyIds", new JsonArray(List.of(a, otherKey, b, gone, unknown))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonArray items = r.json().getJsonArray("items");
        assertThat(items).hasSize(5);
        assertThat(items.getJsonObject(0).getString("keyId")).isEqualTo(a);
        assertThat(items.getJsonObject(0).getBoolean("ok")).isTrue();
        assertThat(items.getJsonObject(0).getJsonObject("key").getString("status"))
                .isEqualTo("DISABLED");
        assertThat(items.getJsonObject(1).getBoolean("ok")).isFalse();
        assertThat(items.getJsonObject(1).getJsonObject("problem").getInteger("status"))
                .isEqualTo(404);
        assertThat(items.getJsonObject(2).getBoolean("ok")).isTrue();
        assertThat(items.getJsonObject(3).getJsonObject("problem").getInteger("status"))
                .isEqualTo(409);
        assertThat(items.getJsonObject(4).getJsonObject("problem").getInteger("status"))
                .isEqualTo(404);
        assertThat(api.getKey(admin, a).json().getString("status")).isEqualTo("DISABLED");
        assertThat(api.getKey(admin, b).json().getString("status")).isEqualTo("DISABLED");
        assertThat(api.getKey(other, otherKey).json().getString("status"))
                .as("another organization's key untouched")
                .isEqualTo("ACTIVE");
        assertThat(db.auditEvents(admin.organizationId()) - auditsBefore)
                .as("one audit event per changed key")
                .isEqualTo(2);
        Reply audit = api.get("/api/v1/audit-events?action=api-key.disabled", admin);
        assertThat(audit.body()).contains(a).contains(b);

        Reply enabled = api.post(
                BULK, admin, new JsonObject().put("action", "ENABLE").put("keyIds", new JsonArray(List.of(a, b))));
        assertThat(enabled.json().getJsonArray("items").getJsonObject(0).getBoolean("ok"))
                .isTrue();
        assertThat(api.getKey(admin, a).json().getString("status")).isEqualTo("ACTIVE");
        Reply revoked = api.post(
                BULK, admin, new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray(List.of(a))));
        assertThat(revoked.json().getJsonArray("items").getJsonObject(0).getBoolean("ok"))
                .isTrue();
        assertThat(api.getKey(admin, a).json().getString("status")).isEqualTo("REVOKED");
    }

    @Test
    @DisplayName("bulk by an employee without manage ALL (even on their own key) is a 403 and changes nothing; another"
            + " organization's owner changes nothing here")
    void bulk_byWeakerCallersOrAnotherOrganization_changesNothing() {
        String own = id(api.inheritKey(employee, "employee's own", "PEOPLE"));
        String adminsKey = id(api.inheritKey(admin, "admin's", "PEOPLE"));
        problem(
                api.post(
                        BULK,
                        employee,
                        new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray(List.of(own, adminsKey)))),
                403);
        Reply r = api.post(
                BULK, other, new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray(List.of(adminsKey))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getJsonArray("items").getJsonObject(0).getBoolean("ok"))
                .isFalse();
        assertThat(api.getKey(admin, adminsKey).json().getString("status")).isEqualTo("ACTIVE");
        assertThat(api.getKey(admin, own).json().getString("status")).isEqualTo("ACTIVE");
    }

    @Test
    @DisplayName("a bulk request with more than 100 keys, duplicates, no keys, a bad id or action is a 400 and changes"
            + " nothing")
    void bulk_badOrOversizedInput_isRefused() {
        String k = id(api.inheritKey(admin, "bulk bad input", "PEOPLE"));
        JsonArray many = new JsonArray();
        many.add(k);
        IntStream.range(0, 100).forEach(i -> many.add(UUID.randomUUID().toString()));
        for (JsonObject body : List.of(
                new JsonObject().put("action", "REVOKE").put("keyIds", many),
                new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray(List.of(k, k))),
                new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray()),
                new JsonObject().put("action", "REVOKE").put("keyIds", new JsonArray(List.of(k, "not-a-uuid"))),
                new JsonObject().put("action", "DELETE").put("keyIds", new JsonArray(List.of(k))),
                new JsonObject()
                        .put("action", "REVOKE")
                        .put("keyIds", new JsonArray(List.of(k)))
                        .put("extra", true))) {
            problem(api.post(BULK, admin, body), 400);
        }
        assertThat(api.getKey(admin, k).json().getString("status")).isEqualTo("ACTIVE");
    }

    // ------------------------------------------------------------------------------------------- rate limit

    @Test
    @DisplayName("a key's rate limit is set by PATCH within the ceiling; above it is a 400 on create and update; an"
            + " administrator's limit is lowered but not raised or cleared by the owner")
    void rateLimit_isEditableWithinTheCeiling_andAnAdminsLimitHoldsAgainstTheOwner() {
        JsonObject policies = api.get("/api/v1/organization/policies", admin).json();
        assertThat(api.put(
                                "/api/v1/organization/policies",
                                admin,
                                policies.copy().put("rateLimitCeilingPerMinute", 1000))
                        .status())
                .isEqualTo(200);
        try {
            String own = id(api.inheritKey(employee, "rate own", "PEOPLE"));
            Reply set = api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", 120));
            assertThat(set.status()).as(set.toString()).isEqualTo(200);
            assertThat(set.json().getInteger("rateLimitPerMinute")).isEqualTo(120);
            JsonObject above =
                    problem(api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", 5000)), 400);
            assertThat(above.getString("field")).isEqualTo("rateLimitPerMinute");
            assertThat(api.getKey(employee, own).json().getInteger("rateLimitPerMinute"))
                    .isEqualTo(120);
            problem(
                    api.createKeyReply(
                            employee, keyBody("too fast", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 1001)),
                    400);
            problem(api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", 0)), 400);
            problem(api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", "fast")), 400);
            // back to the default
            Reply cleared = api.patchKey(employee, own, new JsonObject().putNull("rateLimitPerMinute"));
            assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
            assertThat(cleared.json().containsKey("rateLimitPerMinute")).isFalse();

            // another organization and an unknown key
            problem(api.patchKey(other, own, new JsonObject().put("rateLimitPerMinute", 5)), 404);

            // the admin slows the employee's key: the employee may lower it further, not raise or clear it
            Reply slowed = api.patchKey(admin, own, new JsonObject().put("rateLimitPerMinute", 50));
            assertThat(slowed.status()).as(slowed.toString()).isEqualTo(200);
            assertThat(slowed.json().getJsonArray("adminRestrictions")).contains("RATE_LIMIT");
            problem(api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", 60)), 403);
            problem(api.patchKey(employee, own, new JsonObject().putNull("rateLimitPerMinute")), 403);
            Reply lower = api.patchKey(employee, own, new JsonObject().put("rateLimitPerMinute", 40));
            assertThat(lower.status()).as(lower.toString()).isEqualTo(200);
            assertThat(lower.json().getJsonArray("adminRestrictions")).contains("RATE_LIMIT");
            Reply lifted = api.patchKey(admin, own, new JsonObject().putNull("rateLimitPerMinute"));
            assertThat(lifted.status()).isEqualTo(200);
            assertThat(lifted.json().getJsonArray("adminRestrictions")).doesNotContain("RATE_LIMIT");
        } finally {
            api.put("/api/v1/organization/policies", admin, policies);
        }
    }

    // ------------------------------------------------------------------------------------------- create for others

    @Test
    @DisplayName("an administrator creates a key for a non-employee integration user (owner them, secret holder the"
            + " administrator); an employee cannot, nor for another organization's user")
    void anAdmin_createsAKeyForAnIntegrationUser() {
        JsonObject integration = api.http()
                .createUser(admin, uniqueEmail("integration"), "NON_EMPLOYEE", "FULL_ADMIN")
                .getJsonObject("user");
        Reply created = api.createKeyReply(
                admin,
                keyBody("for the integration", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray())
                        .put("ownerUserId", integration.getString("id")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonObject key = created.json().getJsonObject("key");
        assertThat(key.getJsonObject("owner").getString("id")).isEqualTo(integration.getString("id"));
        assertThat(key.getString("secretHolderUserId")).isEqualTo(admin.userId());
        problem(
                api.createKeyReply(
                        employee,
                        keyBody("not mine to make", "PEOPLE", "INHERIT")
                                .put("ownerUserId", integration.getString("id"))),
                403);
        assertThat(api.createKeyReply(
                                other,
                                keyBody("cross", "PEOPLE", "INHERIT").put("ownerUserId", integration.getString("id")))
                        .status())
                .isIn(400, 404);
    }
}
