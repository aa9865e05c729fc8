package io.keysmith.people;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.person;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractSchemas;
import io.keysmith.support.DbProbe;
import io.keysmith.support.ForwardAuthClient;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.KeysApi.Scheme;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keyed writes on people records (issue 15 items 1, 2, 4; ADR 0012), over real HTTP and PostgreSQL: a key writes
 * only with a write permission named explicitly (SCOPED), within its owner's live level; field edit rights, record
 * scope and organization hold as for a session; On-Behalf-Of must name an active user of the key's organization who
 * may do it too; If-Match refuses stale writes (412) and an ETag never moves for a change the caller cannot see;
 * forward-auth decides these operations as the API does; keys still reach no management operation. Every refusal
 * changes nothing.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("People: keyed writes follow the session's rules, with On-Behalf-Of, If-Match and forward-auth agreeing")
class KeyedWritesIT {
    private static final String PEOPLE = "/api/v1/people";
    private static KeysApi api;
    private static DbProbe db;
    private static Session ownerA;
    private static Session ownerB;
    private static String writer;
    private static String writerId;
    private static ForwardAuthClient gateway;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "keyed_writes", KeysApi.manyFailures());
        db = new DbProbe(api.server().database.getDatabase());
        ownerA = api.signUp("Keyed Writes A", uniqueEmail("kw-a"));
        ownerB = api.signUp("Keyed Writes B", uniqueEmail("kw-b"));
        JsonObject created = api.createKey(ownerA, writerBody("integration", editable("salary", "VIEW")));
        writer = created.getString("secret");
        writerId = created.getJsonObject("key").getString("id");
        gateway = new ForwardAuthClient(
                api, api.inheritKey(ownerA, "gateway", "VERIFICATION").getString("secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    /** Every person field EDIT, except the given ones. */
    private static Map<String, String> editable(String... exceptions) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String field : FieldRightsIT.ALL_FIELDS) {
            if (!field.equals("userId")) {
                f.put(field, "EDIT");
            }
        }
        for (int i = 0; i < exceptions.length; i += 2) {
            f.put(exceptions[i], exceptions[i + 1]);
        }
        return f;
    }

    /** A SCOPED PEOPLE key naming every people permission, with these field rights. */
    private static JsonObject writerBody(String name, Map<String, String> fields) {
        return keyBody(name, "PEOPLE", "SCOPED")
                .put(
                        "permissions",
                        new JsonArray(List.of("people:read", "people:create", "people:update", "people:delete")))
                .put("fieldRights", new JsonObject(new LinkedHashMap<>(fields)));
    }

    private static Reply keyedAs(HttpMethod method, String path, String key, Scheme scheme, Object body, String... h) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", KeysApi.authorization(key, scheme));
        for (int i = 0; i < h.length; i += 2) {
            headers.put(h[i], h[i + 1]);
        }
        return api.call(method, path, null, body, headers);
    }

    private static Reply keyed(HttpMethod method, String path, String key, Object body, String... h) {
        return keyedAs(method, path, key, Scheme.BEARER, body, h);
    }

    /**
     * Everything a refusal must leave as it was: both organizations' people, the audit of people records (a key's first
     * use from an address is audited on its own), and one record's row.
     */
    private static String state(String personId) {
        return db.people(ownerA.organizationId()) + "|"
                + db.count("SELECT count(*) FROM audit_events WHERE target_type = 'person'") + "|"
                + db.people(ownerB.organizationId()) + "|" + (personId == null ? "" : db.rowState("people", personId));
    }

    private static JsonObject lastAudit(String action) {
        Reply r = api.get("/api/v1/audit-events?action=" + action + "&limit=1", ownerA);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.items().getJsonObject(0);
    }

    // ------------------------------------------------------------------------------------------------ opt-in

    @Test
    @DisplayName("an existing INHERIT key of an Account Owner reads but is refused every write (403 naming the"
            + " permission): writes need a SCOPED key naming them")
    void anInheritKeyOfAnAdminIsRefusedEveryWrite() {
        String inherit = api.inheritKey(ownerA, "old reader", "PEOPLE").getString("secret");
        String id = api.createPerson(ownerA, person("Ines", "Herit")).getString("id");
        assertThat(keyed(HttpMethod.GET, PEOPLE + "/" + id, inherit, null).status())
                .isEqualTo(200);
        String before = state(id);
        for (Scheme scheme : Scheme.values()) {
            Reply create = keyedAs(HttpMethod.POST, PEOPLE, inherit, scheme, person("New", "Writer"));
            assertThat(problem(create, 403).getString("detail")).contains("people:create");
            Reply update = keyedAs(
                    HttpMethod.PATCH, PEOPLE + "/" + id, inherit, scheme, new JsonObject().put("jobTitle", "x"));
            assertThat(problem(update, 403).getString("detail")).contains("people:update");
            Reply delete = keyedAs(HttpMethod.DELETE, PEOPLE + "/" + id, inherit, scheme, null);
            assertThat(problem(delete, 403).getString("detail")).contains("people:delete");
        }
        assertThat(state(id)).as("nothing changed").isEqualTo(before);
    }

    @Test
    @DisplayName("a SCOPED key naming the write permissions creates (Basic), updates and deletes (Bearer); the audit"
            + " names the key, its owner and the fields, never the values")
    void aScopedWriterCreatesUpdatesAndDeletes() {
        Reply created = keyedAs(
                HttpMethod.POST,
                PEOPLE,
                writer,
                Scheme.BASIC,
                person("Kim", "Keyed").put("jobTitle", "Recruiter-77"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("ETag")).matches("\"[A-Za-z0-9_-]{27}\"");
        String id = created.json().getString("id");
        JsonObject audit = lastAudit("person.created");
        assertThat(audit.getString("targetId")).isEqualTo(id);
        assertThat(audit.getString("actorUserId")).isEqualTo(ownerA.userId());
        assertThat(audit.getJsonObject("details").getString("keyId")).isEqualTo(writerId);
        assertThat(audit.getJsonObject("details").getString("via")).isEqualTo("api-key");
        assertThat(audit.getJsonObject("details").getJsonArray("fields").getList())
                .contains("firstName", "lastName", "jobTitle", "workEmail");
        // the event stores field names, never values; the log names the person at read time (for a reader allowed to
        // see the names: the owner here), which is not a stored value
        assertThat(audit.getString("targetName")).isEqualTo("Kim Keyed");
        JsonObject stored = audit.copy();
        stored.remove("targetName");
        assertThat(stored.encode()).doesNotContain("Recruiter-77").doesNotContain("Keyed");

        Reply updated = keyed(HttpMethod.PATCH, PEOPLE + "/" + id, writer, new JsonObject().put("jobTitle", "Lead"));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().getString("jobTitle")).isEqualTo("Lead");
        assertThat(updated.header("ETag")).isNotEqualTo(created.header("ETag"));
        assertThat(lastAudit("person.updated").getJsonObject("details").getString("keyId"))
                .isEqualTo(writerId);

        Reply deleted = keyed(HttpMethod.DELETE, PEOPLE + "/" + id, writer, null);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(db.count("SELECT count(*) FROM people WHERE id = ?", id)).isZero();
        assertThat(lastAudit("person.deleted").getJsonObject("details").getString("keyId"))
                .isEqualTo(writerId);
    }

    @Test
    @DisplayName("a field the key may not edit (salary VIEW) is 403 naming it, on create and update, nothing changed")
    void aFieldTheKeyMayNotEditIsRefusedNamingIt() {
        String id = api.createPerson(ownerA, person("Sal", "Ary").put("salary", 1000))
                .getString("id");
        String before = state(id);
        Reply update = keyed(
                HttpMethod.PATCH,
                PEOPLE + "/" + id,
                writer,
                new JsonObject().put("jobTitle", "ok").put("salary", 5));
        assertThat(problem(update, 403).getString("field")).isEqualTo("salary");
        assertThat(problemType(update)).isEqualTo("field-not-editable");
        Reply create =
                keyed(HttpMethod.POST, PEOPLE, writer, person("Sal", "Two").put("salary", 5));
        assertThat(problem(create, 403).getString("field")).isEqualTo("salary");
        assertThat(state(id)).isEqualTo(before);
    }

    @Test
    @DisplayName("the owner's live level bounds the key: a key of a weaker user (scope OWN) reaches only the owner's"
            + " record, and loses a write the owner loses")
    void theOwnersLiveLevelBoundsTheKey() {
        JsonObject level = api.http()
                .createAccessLevel(
                        ownerA,
                        io.keysmith.support.Api.accessLevelBody(
                                "Own writer", "OWN", editable(), "people:read", "people:update", "keys:create-own"));
        String levelId = level.getString("id");
        String email = uniqueEmail("kw-weak");
        Session weak = api.createSignedInUser(ownerA, email, levelId);
        String own = api.createPerson(ownerA, person("Wea", "Ker").put("userId", weak.userId()))
                .getString("id");
        String other = api.createPerson(ownerA, person("Oth", "Er")).getString("id");
        String key = api.createKey(
                        weak,
                        keyBody("weak writer", "PEOPLE", "SCOPED")
                                .put(
                                        "permissions",
                                        new JsonArray().add("people:read").add("people:update"))
                                .put("fieldRights", new JsonObject().put("jobTitle", "EDIT")))
                .getString("secret");
        String before = state(other);
        assertThat(problem(
                        keyed(HttpMethod.PATCH, PEOPLE + "/" + other, key, new JsonObject().put("jobTitle", "x")), 404))
                .isNotNull();
        assertThat(problem(keyed(HttpMethod.POST, PEOPLE, key, person("By", "Weak")), 403)
                        .getString("detail"))
                .contains("people:create");
        assertThat(state(other)).isEqualTo(before);
        assertThat(keyed(HttpMethod.PATCH, PEOPLE + "/" + own, key, new JsonObject().put("jobTitle", "Mine"))
                        .status())
                .isEqualTo(200);
        // the owner loses people:update: the key loses it at once
        api.updateLevel(
                ownerA,
                levelId,
                io.keysmith.support.Api.accessLevelBody(
                        "Own writer", "OWN", editable(), "people:read", "keys:create-own"));
        String mine = state(own);
        Reply lost = keyed(HttpMethod.PATCH, PEOPLE + "/" + own, key, new JsonObject().put("jobTitle", "Again"));
        assertThat(problem(lost, 403).getString("detail")).contains("people:update");
        assertThat(state(own)).isEqualTo(mine);
    }

    @Test
    @DisplayName("another organization's key reaches none of A's records (404) and creates only in its own")
    void anotherOrganizationsKeyReachesNothing() {
        String keyB = api.createKey(ownerB, writerBody("b writer", editable())).getString("secret");
        String id = api.createPerson(ownerA, person("Only", "Ours")).getString("id");
        String before = db.rowState("people", id);
        problem(keyed(HttpMethod.PATCH, PEOPLE + "/" + id, keyB, new JsonObject().put("jobTitle", "x")), 404);
        problem(keyed(HttpMethod.DELETE, PEOPLE + "/" + id, keyB, null), 404);
        long a = db.people(ownerA.organizationId());
        Reply made = keyed(HttpMethod.POST, PEOPLE, keyB, person("In", "Bee"));
        assertThat(made.status()).isEqualTo(201);
        assertThat(db.people(ownerA.organizationId())).isEqualTo(a);
        assertThat(db.count(
                        "SELECT count(*) FROM people WHERE id = ? AND organization_id = ?",
                        made.json().getString("id"),
                        ownerB.organizationId()))
                .isEqualTo(1);
        assertThat(db.rowState("people", id)).isEqualTo(before);
    }

    @Test
    @DisplayName("bad and oversized input is a clear 400/413 naming what is wrong, and creates nothing")
    void badAndOversizedInputIsRefused() {
        String before = state(null);
        assertThat(problem(keyed(HttpMethod.POST, PEOPLE, writer, person("A".repeat(101), "B")), 400)
                        .getString("field"))
                .isEqualTo("firstName");
        assertThat(problem(
                        keyed(HttpMethod.POST, PEOPLE, writer, person("A", "B").put("shoeSize", 44)), 400))
                .isNotNull();
        problem(keyed(HttpMethod.POST, PEOPLE, writer, person("A", "B").put("homeAddress", "x".repeat(40_000))), 413);
        assertThat(problem(keyed(HttpMethod.POST, PEOPLE, writer, "{\"firstName\":"), 400))
                .isNotNull();
        assertThat(state(null)).isEqualTo(before);
    }

    @Test
    @DisplayName("keys still reach no management operation, whatever their write permissions (401)")
    void keysStillReachNoManagementOperation() {
        String before = db.users(ownerA.organizationId()) + "|" + db.count("SELECT count(*) FROM api_keys");
        for (Object[] op : List.of(
                new Object[] {
                    HttpMethod.POST,
                    "/api/v1/users",
                    io.keysmith.support.Api.userBody(uniqueEmail("bykey"), "EMPLOYEE", null)
                },
                new Object[] {HttpMethod.POST, "/api/v1/api-keys", keyBody("by key", "PEOPLE", "INHERIT")},
                new Object[] {HttpMethod.POST, "/api/v1/partners", new JsonObject().put("name", "By Key")},
                new Object[] {
                    HttpMethod.PUT,
                    "/api/v1/organization/policies",
                    new JsonObject().put("expiryRequired", false).put("allowedIpRanges", new JsonArray())
                })) {
            Reply r = keyed((HttpMethod) op[0], (String) op[1], writer, op[2]);
            assertThat(r.status()).as("%s", r).isEqualTo(401);
        }
        assertThat(db.users(ownerA.organizationId()) + "|" + db.count("SELECT count(*) FROM api_keys"))
                .isEqualTo(before);
    }

    @Test
    @DisplayName("with the session, people writes (now open to keys too) still need the CSRF token: 403 without it")
    void sessionWritesStillNeedTheCsrfToken() {
        String id = api.createPerson(ownerA, person("Cs", "Rf")).getString("id");
        Session noToken = new Session(ownerA.cookie(), null, ownerA.me());
        String before = state(id);
        assertThat(problemType(api.post(PEOPLE, noToken, person("No", "Token"))))
                .isEqualTo("csrf-token-missing");
        problem(api.patch(PEOPLE + "/" + id, noToken, new JsonObject().put("jobTitle", "x")), 403);
        problem(api.call(HttpMethod.DELETE, PEOPLE + "/" + id, noToken, null), 403);
        assertThat(state(id)).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------ On-Behalf-Of

    @Test
    @DisplayName("On-Behalf-Of an active user who may write: 201, the audit names the user, the key and its owner")
    void onBehalfOfAnActiveUserIsAudited() {
        Session recruiter =
                api.createSignedInUser(ownerA, uniqueEmail("kw-recruiter"), api.builtinLevel(ownerA, "FULL_ADMIN"));
        Reply r =
                keyed(HttpMethod.POST, PEOPLE, writer, person("For", "Recruiter"), "On-Behalf-Of", recruiter.userId());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonObject audit = lastAudit("person.created");
        assertThat(audit.getString("actorUserId")).isEqualTo(recruiter.userId());
        assertThat(audit.getJsonObject("details").getString("onBehalfOfUserId")).isEqualTo(recruiter.userId());
        assertThat(audit.getJsonObject("details").getString("keyOwnerUserId")).isEqualTo(ownerA.userId());
        assertThat(audit.getJsonObject("details").getString("keyId")).isEqualTo(writerId);
        // the log names the key the write came with and the key's owner, for the sentence "... with the key ..."
        assertThat(audit.getString("viaKeyId")).isEqualTo(writerId);
        assertThat(audit.getString("viaKeyName")).isEqualTo("integration");
        assertThat(audit.getString("viaKeyOwnerUserId")).isEqualTo(ownerA.userId());
        assertThat(audit.getString("viaKeyOwnerName")).isNotBlank();
        assertThat(ContractSchemas.errors("AuditEvent", audit)).isEmpty();
    }

    @Test
    @DisplayName("On-Behalf-Of unknown, inactive, another organization's or malformed is 400 naming the header; a user"
            + " who may not do it is 403; with a session 400; nothing changes")
    void badOnBehalfOfIsRefused() {
        Session leaver =
                api.createSignedInUser(ownerA, uniqueEmail("kw-leaver"), api.builtinLevel(ownerA, "FULL_ADMIN"));
        api.deactivate(ownerA, leaver.userId());
        Session employee = api.createSignedInUser(ownerA, uniqueEmail("kw-employee"), null);
        String id = api.createPerson(ownerA, person("Be", "Half")).getString("id");
        String before = state(id);
        for (String bad : new String[] {
            "00000000-0000-4000-8000-000000000000", leaver.userId(), ownerB.userId(), "not-a-uuid", "x".repeat(5000)
        }) {
            for (Reply r : new Reply[] {
                keyed(HttpMethod.POST, PEOPLE, writer, person("No", "Body"), "On-Behalf-Of", bad),
                keyed(
                        HttpMethod.PATCH,
                        PEOPLE + "/" + id,
                        writer,
                        new JsonObject().put("jobTitle", "x"),
                        "On-Behalf-Of",
                        bad),
                keyed(HttpMethod.DELETE, PEOPLE + "/" + id, writer, null, "On-Behalf-Of", bad)
            }) {
                if (r.status() != 431) { // a 5,000-character header may be refused before the route (too large)
                    assertThat(problem(r, 400).getString("field"))
                            .as("%s with %s", r, bad)
                            .isEqualTo("On-Behalf-Of");
                }
            }
        }
        // an Employee lacks people:create and reaches only their own record: the key and the user must both may
        Reply weaker = keyed(HttpMethod.POST, PEOPLE, writer, person("No", "Right"), "On-Behalf-Of", employee.userId());
        assertThat(problem(weaker, 403).getString("field")).isEqualTo("On-Behalf-Of");
        Reply scope = keyed(
                HttpMethod.PATCH,
                PEOPLE + "/" + id,
                writer,
                new JsonObject().put("homeAddress", "x"),
                "On-Behalf-Of",
                employee.userId());
        problem(scope, 404);
        Reply session = api.call(
                HttpMethod.POST, PEOPLE, ownerA, person("Se", "Ssion"), Map.of("On-Behalf-Of", ownerA.userId()));
        assertThat(problem(session, 400).getString("field")).isEqualTo("On-Behalf-Of");
        assertThat(state(id)).isEqualTo(before);
    }

    @Test
    @DisplayName("an organization requiring On-Behalf-Of refuses keyed writes without it (400), sessions unaffected")
    void onBehalfOfRequiredByPolicy() {
        Session owner = api.signUp("Keyed Writes Policy", uniqueEmail("kw-policy"));
        String key =
                api.createKey(owner, writerBody("policy writer", editable())).getString("secret");
        Reply saved = api.put(
                "/api/v1/organization/policies",
                owner,
                new JsonObject()
                        .put("expiryRequired", false)
                        .put("allowedIpRanges", new JsonArray())
                        .put("requireOnBehalfOf", true));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().getBoolean("requireOnBehalfOf")).isTrue();
        long before = db.people(owner.organizationId());
        assertThat(problem(keyed(HttpMethod.POST, PEOPLE, key, person("Wit", "Hout")), 400)
                        .getString("field"))
                .isEqualTo("On-Behalf-Of");
        assertThat(db.people(owner.organizationId())).isEqualTo(before);
        assertThat(keyed(HttpMethod.POST, PEOPLE, key, person("Wi", "Th"), "On-Behalf-Of", owner.userId())
                        .status())
                .isEqualTo(201);
        assertThat(api.post(PEOPLE, owner, person("By", "Session")).status()).isEqualTo(201);
    }

    // ------------------------------------------------------------------------------------------------ If-Match

    @Test
    @DisplayName("If-Match: a stale ETag is 412 on PATCH and DELETE with nothing changed; the current one succeeds")
    void staleIfMatchIs412() {
        String id = api.createPerson(ownerA, person("Eve", "Tag")).getString("id");
        String etag = keyed(HttpMethod.GET, PEOPLE + "/" + id, writer, null).header("ETag");
        assertThat(api.patch(PEOPLE + "/" + id, ownerA, new JsonObject().put("jobTitle", "Changed"))
                        .status())
                .isEqualTo(200);
        String before = state(id);
        Reply stale = keyed(
                HttpMethod.PATCH, PEOPLE + "/" + id, writer, new JsonObject().put("location", "x"), "If-Match", etag);
        assertThat(problem(stale, 412).getString("field")).isEqualTo("If-Match");
        problem(keyed(HttpMethod.DELETE, PEOPLE + "/" + id, writer, null, "If-Match", etag), 412);
        problem(
                keyed(
                        HttpMethod.PATCH,
                        PEOPLE + "/" + id,
                        writer,
                        new JsonObject().put("location", "x"),
                        "If-Match",
                        "W/" + etag),
                412);
        assertThat(state(id)).isEqualTo(before);
        String current = keyed(HttpMethod.GET, PEOPLE + "/" + id, writer, null).header("ETag");
        Reply ok = keyed(
                HttpMethod.PATCH,
                PEOPLE + "/" + id,
                writer,
                new JsonObject().put("location", "Porto"),
                "If-Match",
                current);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        Reply gone =
                keyed(HttpMethod.DELETE, PEOPLE + "/" + id, writer, null, "If-Match", "\"nope\", " + ok.header("ETag"));
        assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    }

    @Test
    @DisplayName("the ETag a caller sees does not change when only a field hidden from it changes (salary NONE)")
    void anEtagNeverMovesForAHiddenChange() {
        Map<String, String> fields = editable("salary", "NONE");
        String blind = api.createKey(ownerA, writerBody("salary blind", fields)).getString("secret");
        String id = api.createPerson(ownerA, person("Hid", "Den").put("salary", 100))
                .getString("id");
        Reply seen = keyed(HttpMethod.GET, PEOPLE + "/" + id, blind, null);
        assertThat(seen.json().containsKey("salary")).isFalse();
        String ownersBefore = api.get(PEOPLE + "/" + id, ownerA).header("ETag");
        assertThat(api.patch(PEOPLE + "/" + id, ownerA, new JsonObject().put("salary", 200))
                        .status())
                .isEqualTo(200);
        assertThat(api.get(PEOPLE + "/" + id, ownerA).header("ETag"))
                .as("the owner sees salary change")
                .isNotEqualTo(ownersBefore);
        assertThat(keyed(HttpMethod.GET, PEOPLE + "/" + id, blind, null).header("ETag"))
                .as("the key, blind to salary, sees nothing change")
                .isEqualTo(seen.header("ETag"));
        Reply write = keyed(
                HttpMethod.PATCH,
                PEOPLE + "/" + id,
                blind,
                new JsonObject().put("jobTitle", "Still"),
                "If-Match",
                seen.header("ETag"));
        assertThat(write.status()).as(write.toString()).isEqualTo(200);
    }

    @Test
    @DisplayName("an organization requiring If-Match refuses PATCH and DELETE without it (428), nothing changed")
    void ifMatchRequiredByPolicy() {
        Session owner = api.signUp("Keyed Writes Match", uniqueEmail("kw-match"));
        String key =
                api.createKey(owner, writerBody("match writer", editable())).getString("secret");
        assertThat(api.put(
                                "/api/v1/organization/policies",
                                owner,
                                new JsonObject()
                                        .put("expiryRequired", false)
                                        .put("allowedIpRanges", new JsonArray())
                                        .put("requireIfMatch", true))
                        .status())
                .isEqualTo(200);
        String id = api.createPerson(owner, person("Must", "Match")).getString("id");
        String before = db.rowState("people", id);
        assertThat(problemType(keyed(HttpMethod.PATCH, PEOPLE + "/" + id, key, new JsonObject().put("jobTitle", "x"))))
                .isEqualTo("precondition-required");
        problem(keyed(HttpMethod.DELETE, PEOPLE + "/" + id, key, null), 428);
        problem(api.patch(PEOPLE + "/" + id, owner, new JsonObject().put("jobTitle", "x")), 428);
        assertThat(db.rowState("people", id)).isEqualTo(before);
        String etag = api.get(PEOPLE + "/" + id, owner).header("ETag");
        assertThat(keyed(
                                HttpMethod.PATCH,
                                PEOPLE + "/" + id,
                                key,
                                new JsonObject().put("jobTitle", "y"),
                                "If-Match",
                                etag)
                        .status())
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------------ forward-auth

    @Test
    @DisplayName("forward-auth decides people writes as the API does: INHERIT 403, SCOPED writer 200, reader 403,"
            + " another organization's key 401")
    void forwardAuthDecidesWritesAsTheApi() {
        String inherit = api.inheritKey(ownerA, "fa inherit", "PEOPLE").getString("secret");
        String reader = api.createKey(
                        ownerA,
                        keyBody("fa reader", "PEOPLE", "SCOPED").put("permissions", new JsonArray().add("people:read")))
                .getString("secret");
        String keyB = api.createKey(ownerB, writerBody("fa b", editable())).getString("secret");
        List<String> wrong = new ArrayList<>();
        for (String[] key :
                new String[][] {{"inherit", inherit}, {"writer", writer}, {"reader", reader}, {"B", keyB}}) {
            for (String method : new String[] {"POST", "PATCH", "DELETE"}) {
                String id = api.createPerson(ownerA, person("Fa", "Case")).getString("id");
                String uri = method.equals("POST") ? PEOPLE : PEOPLE + "/" + id;
                Reply fa = gateway.ask(method, uri, key[1]);
                Object body = method.equals("POST")
                        ? person("Fa", "Direct")
                        : method.equals("PATCH") ? new JsonObject().put("jobTitle", "fa") : null;
                Reply direct = keyed(HttpMethod.valueOf(method), uri, key[1], body);
                int expected = direct.status() / 100 == 2 ? 200 : direct.status() == 404 ? 200 : direct.status();
                if (key[0].equals("B")) {
                    expected = 401; // a gateway of A never authorizes B's keys
                }
                if (fa.status() != expected) {
                    wrong.add(key[0] + " " + method + ": forward-auth " + fa.status() + ", API " + direct.status());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }
}
