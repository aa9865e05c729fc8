package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, items 1 and 5, through the real HTTP API: nobody obtains a secret worth more than they hold. A user
 * whose level holds only {@code keys:create-own} + {@code keys:manage-all} (scope OWN, no field rights) creates,
 * rotates or transfers keys of the Account Owner; each secret they get must be worth no more than they are, also
 * after a later PATCH or a raise of the owner's level. And an admin's controls (disable, allowlist, expiry) are
 * lifted only by an admin; losing {@code keys:create-own} suspends one's own keys.
 */
@ExtendWith(VertxExtension.class)
@DisplayName(
        "Credential holders: no secret worth more than whoever holds it; an admin's controls lifted only by admins")
class CredentialHolderIT {
    private static TestServer server;
    private static KeysApi api;
    private static Session owner;
    /** keys:create-own + keys:manage-all, scope OWN, no field rights: people 403 and audit 403 in their own session. */
    private static Session keyManager;

    private static String keyManagerLevel;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "credential_holder", KeysApi.manyFailures());
        server = api.server();
        owner = api.signUp("Credential Holder Org", uniqueEmail("ch-owner"));
        for (String last : List.of("Archer", "Baker")) {
            api.createPerson(
                    owner, KeysApi.person("Pat", last).put("salary", 123456.78).put("nationalId", "SSN-" + last));
        }
        keyManagerLevel = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "Key managers")
                        .put("recordScope", "OWN")
                        .put("fieldRights", new JsonObject())
                        .put("permissions", new JsonArray(List.of("keys:create-own", "keys:manage-all"))));
        keyManager = api.createSignedInUser(owner, uniqueEmail("key-manager"), keyManagerLevel);
        // the premise: in their own session they read neither people nor the audit log
        problem(api.get("/api/v1/people", keyManager), 403);
        problem(api.get("/api/v1/audit-events", keyManager), 403);
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

    /** A key use is refused (401) or finds nothing to call (403); the answer never carries salary or national id. */
    private static void harmless(Reply r) {
        assertThat(r.status()).as("a weaker holder's key: %s", r).isIn(401, 403);
        assertThat(r.body())
                .doesNotContain("salary")
                .doesNotContain("nationalId")
                .doesNotContain("SSN-");
    }

    private static Map<String, Object> fields(String... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------- item 1

    @Test
    @DisplayName("a key the key manager creates for the Account Owner (INHERIT, PEOPLE) reads no salary or national id")
    void anInheritKeyForTheOwner_isWorthNoMoreThanItsCreator() {
        Reply created = api.createKeyReply(
                keyManager, keyBody("for the boss", "PEOPLE", "INHERIT").put("ownerUserId", owner.userId()));
        assertThat(created.status()).as(created.toString()).isIn(201, 403);
        if (created.status() == 201) {
            String secret = created.json().getString("secret");
            harmless(api.withKey("/api/v1/people", secret));
            JsonObject key = created.json().getJsonObject("key");
            assertThat(key.getString("secretHolderUserId")).isEqualTo(keyManager.userId());
        }
    }

    @Test
    @DisplayName("an AUDIT key the key manager creates for the Account Owner does not read the audit log")
    void anAuditKeyForTheOwner_readsNoAuditLog() {
        Reply created = api.createKeyReply(
                keyManager, keyBody("audit", "AUDIT", "INHERIT").put("ownerUserId", owner.userId()));
        assertThat(created.status()).as(created.toString()).isIn(201, 403);
        if (created.status() == 201) {
            Reply r = api.withKey("/api/v1/audit-events", created.json().getString("secret"));
            assertThat(r.status()).as(r.toString()).isIn(401, 403);
            assertThat(r.body()).doesNotContain("\"items\"");
        }
    }

    @Test
    @DisplayName("the seeds' flow (empty SCOPED key, then PATCH) gives the key manager no people read either")
    void anEmptyKeyPatchedLater_isWorthNoMoreThanItsCreator() {
        JsonObject created = api.createKey(
                keyManager,
                keyBody("seeds flow", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray())
                        .put("ownerUserId", owner.userId()));
        Reply patched = api.patchKey(
                keyManager,
                id(created),
                new JsonObject()
                        .put("permissions", new JsonArray(List.of("people:read")))
                        .put("fieldRights", new JsonObject(fields("salary", "VIEW", "nationalId", "VIEW"))));
        assertThat(patched.status()).as(patched.toString()).isIn(200, 403);
        harmless(api.withKey("/api/v1/people", created.getString("secret")));
        Reply toInherit = api.patchKey(keyManager, id(created), new JsonObject().put("permissionMode", "INHERIT"));
        assertThat(toInherit.status()).as(toInherit.toString()).isIn(200, 403);
        harmless(api.withKey("/api/v1/people", created.getString("secret")));
    }

    @Test
    @DisplayName("rotating the Account Owner's key hands the key manager a secret worth no more than they are")
    void rotatingTheOwnersKey_givesNoMoreThanTheRotator() {
        JsonObject ownersKey = api.createKey(owner, keyBody("owner's own", "PEOPLE", "INHERIT"));
        assertThat(api.withKey("/api/v1/people", ownersKey.getString("secret")).body())
                .contains("salary");
        Reply rotated =
                api.keyAction(keyManager, id(ownersKey), "rotate", new JsonObject().put("gracePeriodSeconds", 0));
        assertThat(rotated.status()).as(rotated.toString()).isIn(200, 403);
        if (rotated.status() == 200) {
            harmless(api.withKey("/api/v1/people", rotated.json().getString("secret")));
            assertThat(rotated.json().getJsonObject("key").getString("secretHolderUserId"))
                    .isEqualTo(keyManager.userId());
            // the audit names who rotated and whose key it is
            Reply events = api.get("/api/v1/audit-events?action=api-key.rotated", owner);
            JsonObject event = events.items().stream()
                    .map(o -> (JsonObject) o)
                    .filter(e -> id(ownersKey).equals(e.getString("targetId")))
                    .findFirst()
                    .orElseThrow();
            assertThat(event.getString("actorUserId")).isEqualTo(keyManager.userId());
            assertThat(event.getJsonObject("details").getString("ownerUserId")).isEqualTo(owner.userId());
        }
    }

    @Test
    @DisplayName("creating an own key and transferring it to the Account Owner gives the key manager no more either")
    void transferringAnOwnKeyToTheOwner_givesNoMore() {
        JsonObject own = api.createKey(keyManager, keyBody("mine", "PEOPLE", "INHERIT"));
        Reply moved =
                api.keyAction(keyManager, id(own), "transfer", new JsonObject().put("ownerUserId", owner.userId()));
        assertThat(moved.status()).as(moved.toString()).isIn(200, 403);
        harmless(api.withKey("/api/v1/people", own.getString("secret")));
        JsonObject audit = api.createKey(keyManager, keyBody("mine too", "AUDIT", "INHERIT"));
        api.keyAction(keyManager, id(audit), "transfer", new JsonObject().put("ownerUserId", owner.userId()));
        Reply r = api.withKey("/api/v1/audit-events", audit.getString("secret"));
        assertThat(r.status()).as(r.toString()).isIn(401, 403);
    }

    @Test
    @DisplayName(
            "a key an admin made for an employee follows the admin's rights too: a later raise of the employee's level"
                    + " gives it nothing the admin lacks (fields and record scope)")
    void aLaterRaiseOfTheOwnersLevel_givesNothingBeyondTheHolder() {
        String midLevel = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "People key admins")
                        .put("recordScope", "OWN")
                        .put("fieldRights", new JsonObject(fields("firstName", "VIEW", "lastName", "VIEW")))
                        .put(
                                "permissions",
                                new JsonArray(List.of("people:read", "keys:create-own", "keys:manage-all"))));
        Session mid = api.createSignedInUser(owner, uniqueEmail("mid-admin"), midLevel);
        Session employee = api.createSignedInUser(owner, uniqueEmail("employee"), null);
        JsonObject created = api.createKey(
                mid, keyBody("for the employee", "PEOPLE", "INHERIT").put("ownerUserId", employee.userId()));
        String secret = created.getString("secret");

        // the employee becomes a Full Admin: the key would now read everyone with every field
        Reply raised = api.patch(
                "/api/v1/users/" + employee.userId(),
                owner,
                new JsonObject().put("accessLevelId", api.builtinLevel(owner, "FULL_ADMIN")));
        assertThat(raised.status()).as(raised.toString()).isEqualTo(200);

        Reply people = api.withKey("/api/v1/people?limit=200", secret);
        assertThat(people.status()).as(people.toString()).isEqualTo(200);
        assertThat(people.body()).doesNotContain("salary").doesNotContain("nationalId");
        // record scope OWN (the admin's): the admin has no person record here, so nobody is listed
        assertThat(people.items()).as("record scope of the holder").isEmpty();
    }

    @Test
    @DisplayName(
            "a key is suspended (401) while whoever holds its secret is deactivated or lost the right by which they"
                    + " hold it; the key says why, and it works again once they hold it again")
    void aKeyIsSuspended_whileItsHolderLostTheirRight() {
        String adminLevel = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "People admins " + System.nanoTime())
                        .put("recordScope", "ALL")
                        .put("fieldRights", new JsonObject(fields("firstName", "VIEW")))
                        .put(
                                "permissions",
                                new JsonArray(List.of("people:read", "keys:create-own", "keys:manage-all"))));
        Session admin = api.createSignedInUser(owner, uniqueEmail("holder-admin"), adminLevel);
        Session employee = api.createSignedInUser(owner, uniqueEmail("holder-employee"), null);
        JsonObject created = api.createKey(
                admin, keyBody("held by the admin", "PEOPLE", "INHERIT").put("ownerUserId", employee.userId()));
        String secret = created.getString("secret");
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(200);

        // the admin loses manage ALL: they no longer may hold someone else's secret
        api.updateLevel(
                owner,
                adminLevel,
                new JsonObject()
                        .put("name", "People admins " + System.nanoTime())
                        .put("recordScope", "ALL")
                        .put("fieldRights", new JsonObject(fields("firstName", "VIEW")))
                        .put("permissions", new JsonArray(List.of("people:read", "keys:create-own"))));
        problem(api.withKey("/api/v1/people", secret), 401);
        JsonObject shown = api.getKey(owner, id(created)).json();
        assertThat(shown.getString("suspendedReason")).as(shown.encode()).isEqualTo("HOLDER_LACKS_MANAGE_ALL");

        // another admin rotates it: they now hold the secret, and it works within their rights
        Reply rotated = api.keyAction(owner, id(created), "rotate", new JsonObject().put("gracePeriodSeconds", 0));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", rotated.json().getString("secret"))
                        .status())
                .isEqualTo(200);
        assertThat(rotated.json().getJsonObject("key").containsKey("suspendedReason"))
                .isFalse();

        // deactivating the holder suspends it too
        JsonObject second = api.createKey(
                owner, keyBody("held by the owner", "PEOPLE", "INHERIT").put("ownerUserId", employee.userId()));
        Session helper =
                api.createSignedInUser(owner, uniqueEmail("holder-helper"), api.builtinLevel(owner, "FULL_ADMIN"));
        Reply rotatedByHelper =
                api.keyAction(helper, id(second), "rotate", new JsonObject().put("gracePeriodSeconds", 0));
        String helperSecret = rotatedByHelper.json().getString("secret");
        assertThat(api.withKey("/api/v1/people", helperSecret).status()).isEqualTo(200);
        api.deactivate(owner, helper.userId());
        problem(api.withKey("/api/v1/people", helperSecret), 401);
        assertThat(api.getKey(owner, id(second)).json().getString("suspendedReason"))
                .isEqualTo("HOLDER_INACTIVE");
        api.reactivate(owner, helper.userId());
        assertThat(api.withKey("/api/v1/people", helperSecret).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("admins still see, disable and revoke every key, whoever holds it")
    void adminsStillGovernEveryKey() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("governed"), null);
        JsonObject created = api.createKey(employee, keyBody("governed", "PEOPLE", "INHERIT"));
        assertThat(api.getKey(keyManager, id(created)).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/organization/api-keys?ownerUserId=" + employee.userId(), keyManager)
                        .body())
                .contains(id(created));
        assertThat(api.keyAction(keyManager, id(created), "disable", null).status())
                .isEqualTo(200);
        assertThat(api.keyAction(keyManager, id(created), "revoke", null).status())
                .isEqualTo(200);
        problem(api.withKey("/api/v1/people", created.getString("secret")), 401);
    }

    // ------------------------------------------------------------------------------------------- item 5

    @Test
    @DisplayName("a key an admin disabled is enabled again only by an admin (the owner's enable is 403), and says so")
    void anAdminsDisable_isLiftedOnlyByAnAdmin() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("disabled-employee"), null);
        JsonObject created = api.createKey(employee, keyBody("disabled by admin", "PEOPLE", "INHERIT"));
        assertThat(api.keyAction(owner, id(created), "disable", null).status()).isEqualTo(200);

        Reply byOwner = api.keyAction(employee, id(created), "enable", null);
        assertThat(problem(byOwner, 403).getString("detail")).contains("administrator");
        problem(api.withKey("/api/v1/people", created.getString("secret")), 401);
        JsonObject shown = api.getKey(employee, id(created)).json();
        assertThat(shown.getString("status")).isEqualTo("DISABLED");
        assertThat(shown.getJsonArray("adminRestrictions")).contains("DISABLED");

        assertThat(api.keyAction(owner, id(created), "enable", null).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", created.getString("secret")).status())
                .isEqualTo(200);
        assertThat(api.getKey(employee, id(created)).json().getJsonArray("adminRestrictions"))
                .doesNotContain("DISABLED");

        // a disable by the owner themselves is theirs to lift
        assertThat(api.keyAction(employee, id(created), "disable", null).status())
                .isEqualTo(200);
        assertThat(api.keyAction(employee, id(created), "enable", null).status())
                .isEqualTo(200);
    }

    @Test
    @DisplayName(
            "an IP allowlist and an expiry an admin set are loosened only by an admin; the owner may still tighten them")
    void anAdminsAllowlistAndExpiry_areLoosenedOnlyByAnAdmin() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("restricted-employee"), null);
        JsonObject created = api.createKey(employee, keyBody("restricted", "PEOPLE", "INHERIT"));
        String expiry = Instant.now().plusSeconds(86_400).toString();
        Reply restricted = api.patchKey(
                owner,
                id(created),
                new JsonObject()
                        .put("ipAllowlist", new JsonArray(List.of("10.0.0.0/8")))
                        .put("expiresAt", expiry));
        assertThat(restricted.status()).as(restricted.toString()).isEqualTo(200);
        assertThat(restricted.json().getJsonArray("adminRestrictions")).contains("IP_ALLOWLIST", "EXPIRES_AT");
        problem(api.withKey("/api/v1/people", created.getString("secret")), 401);

        Reply loosened = api.patchKey(
                employee,
                id(created),
                new JsonObject().put("ipAllowlist", new JsonArray()).putNull("expiresAt"));
        problem(loosened, 403);
        Reply wider = api.patchKey(
                employee, id(created), new JsonObject().put("ipAllowlist", new JsonArray(List.of("0.0.0.0/0"))));
        problem(wider, 403);
        Reply later = api.patchKey(
                employee,
                id(created),
                new JsonObject()
                        .put("expiresAt", Instant.now().plusSeconds(5 * 86_400).toString()));
        problem(later, 403);
        problem(api.withKey("/api/v1/people", created.getString("secret")), 401);

        Reply tighter = api.patchKey(
                employee,
                id(created),
                new JsonObject()
                        .put("ipAllowlist", new JsonArray(List.of("10.1.0.0/16")))
                        .put("expiresAt", Instant.now().plusSeconds(3_600).toString()));
        assertThat(tighter.status()).as(tighter.toString()).isEqualTo(200);
        // tightening keeps the admin's restriction: the owner cannot now loosen it back
        problem(
                api.patchKey(
                        employee,
                        id(created),
                        new JsonObject().put("ipAllowlist", new JsonArray(List.of("10.0.0.0/8")))),
                403);

        Reply byAdmin = api.patchKey(
                owner,
                id(created),
                new JsonObject().put("ipAllowlist", new JsonArray()).putNull("expiresAt"));
        assertThat(byAdmin.status()).as(byAdmin.toString()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", created.getString("secret")).status())
                .isEqualTo(200);
    }

    @Test
    @DisplayName(
            "an admin's restrictions on a key they create for someone are the admin's too: the owner cannot lift them")
    void restrictionsSetAtCreationByAnAdmin_areTheAdmins() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("created-restricted"), null);
        JsonObject created = api.createKey(
                owner,
                keyBody("made restricted", "PEOPLE", "INHERIT")
                        .put("ownerUserId", employee.userId())
                        .put("ipAllowlist", new JsonArray(List.of("10.0.0.0/8"))));
        problem(api.patchKey(employee, id(created), new JsonObject().put("ipAllowlist", new JsonArray())), 403);
    }

    @Test
    @DisplayName(
            "after the owner lost 'create own API keys', their keys are suspended (401, shown why) and cannot be rotated")
    void losingCreateOwn_suspendsOwnKeys() {
        String level = api.createLevel(
                owner,
                KeysApi.levelBody(
                        "Key users " + System.nanoTime(),
                        Map.of("firstName", "VIEW"),
                        "people:read",
                        "keys:create-own"));
        Session dev = api.createSignedInUser(owner, uniqueEmail("loses-create-own"), level);
        JsonObject created = api.createKey(dev, keyBody("soon suspended", "PEOPLE", "INHERIT"));
        assertThat(api.withKey("/api/v1/people", created.getString("secret")).status())
                .isEqualTo(200);

        api.updateLevel(
                owner,
                level,
                KeysApi.levelBody("Key users " + System.nanoTime(), Map.of("firstName", "VIEW"), "people:read"));
        problem(api.withKey("/api/v1/people", created.getString("secret")), 401);
        problem(api.keyAction(dev, id(created), "rotate", new JsonObject().put("gracePeriodSeconds", 0)), 403);
        assertThat(api.getKey(owner, id(created)).json().getString("suspendedReason"))
                .isEqualTo("OWNER_LACKS_CREATE_OWN");
    }
}
