package io.keysmith.keys;

import static io.keysmith.support.KeysApi.inSeconds;
import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.KeysApi.Scheme;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The life of an API key over real HTTP and PostgreSQL: the secret is shown once; a key never exceeds its owner,
 * live; disable, enable, revoke, rotate (with and without grace), transfer, owner deactivation, expiry and IP
 * allowlists take effect on the very next request; a key calls only the operations of its API type and never a
 * management operation; keys travel in the Authorization header only; organization policies and the partner
 * directory hold on creation.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("API keys: secret shown once, never above the owner, every state change effective on the next request")
class KeyLifecycleIT {
    private static final Pattern LONG_BASE62_RUN = Pattern.compile("[0-9A-Za-z]{30,}");
    private static final Map<String, String> READ_FIELDS =
            fields("firstName", "VIEW", "lastName", "VIEW", "department", "VIEW", "salary", "VIEW");

    private static TestServer server;
    private static KeysApi api;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        // failed key authentications are many here, all from 127.0.0.1: the per-address throttle is
        // KeySecretHygieneIT's
        api = KeysApi.onNewServer(vertx, "key_lifecycle", KeysApi.manyFailures());
        server = api.server();
        owner = api.signUp("Key Lifecycle Org", uniqueEmail("kl-owner"));
        for (String last : List.of("Archer", "Baker", "Carter")) {
            api.createPerson(
                    owner,
                    KeysApi.person("Pat", last)
                            .put("department", "Finance")
                            .put("salary", 123456.78)
                            .put("dateOfBirth", "1970-01-02"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A signed-in user on a fresh custom level (scope ALL): the session, the level's id and body. */
    private record Dev(Session session, String levelId, JsonObject level) {
        String userId() {
            return session.userId();
        }
    }

    private static Dev developer(String label, Map<String, String> fieldRights, String... permissions) {
        JsonObject level =
                KeysApi.levelBody(label + " " + Long.toHexString(System.nanoTime()), fieldRights, permissions);
        String levelId = api.createLevel(owner, level);
        return new Dev(
                api.createSignedInUser(owner, uniqueEmail(label.toLowerCase().replace(' ', '-')), levelId),
                levelId,
                level);
    }

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static JsonArray people(String secret) {
        Reply r = api.withKey("/api/v1/people?limit=200", secret);
        assertThat(r.status()).as("people with the key: %s", r).isEqualTo(200);
        assertThat(r.items()).isNotEmpty();
        return r.items();
    }

    /** Every field name any listed record shows. */
    private static Set<String> shownFields(String secret) {
        Set<String> shown = new HashSet<>();
        people(secret).forEach(o -> shown.addAll(((JsonObject) o).fieldNames()));
        return shown;
    }

    private static int status(String secret) {
        return api.withKey("/api/v1/people", secret).status();
    }

    private static String id(JsonObject created) {
        return created.getJsonObject("key").getString("id");
    }

    private static String secret(JsonObject created) {
        return created.getString("secret");
    }

    @Test
    @DisplayName(
            "the secret is in the create answer only: reading and listing the key never shows it, nor any long random run")
    void theSecretIsReturnedByCreateOnly() {
        Dev dev = developer("Secret Reader", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("once", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(KeyFormat.isWellFormed(secret))
                .as("%s is a well-formed key", secret)
                .isTrue();
        JsonObject key = created.getJsonObject("key");
        assertThat(key.encode()).doesNotContain(secret).doesNotContain(secret.substring(4));
        assertThat(secret).startsWith(key.getString("hint"));
        assertThat(key.getString("hint")).hasSizeLessThanOrEqualTo(KeyFormat.PREFIX.length() + 4);

        List<Reply> reads = List.of(
                api.getKey(dev.session(), id(created)),
                api.get("/api/v1/api-keys", dev.session()),
                api.get("/api/v1/organization/api-keys", owner),
                api.get("/api/v1/organization/api-keys?q=once", owner),
                api.getKey(owner, id(created)));
        for (Reply r : reads) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.body())
                    .as(r.path())
                    .contains(id(created))
                    .doesNotContain(secret)
                    .doesNotContain(secret.substring(4, 20));
            assertThat(LONG_BASE62_RUN.matcher(r.body()).find())
                    .as("a 30+ character base62 run in %s", r)
                    .isFalse();
        }
        assertThat(status(secret)).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "a key created with no permissions grants nothing; after its permissions are set it works and shows only the granted fields")
    void anEmptyKeyGrantsNothingUntilPatched() {
        Dev dev = developer("Wizard", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(
                dev.session(), keyBody("wizard", "PEOPLE", "SCOPED").put("permissions", new JsonArray()));
        String secret = secret(created);
        Reply denied = api.withKey("/api/v1/people", secret);
        assertThat(problem(denied, 403).getString("detail")).contains("people:read");
        assertThat(api.withKey("/api/v1/people", secret, Scheme.BASIC).status()).isEqualTo(403);

        Reply patched = api.patchKey(
                dev.session(),
                id(created),
                new JsonObject()
                        .put("permissions", new JsonArray().add("people:read"))
                        .put(
                                "fieldRights",
                                new JsonObject().put("firstName", "VIEW").put("department", "VIEW")));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().getJsonArray("permissions").getList()).containsExactly("people:read");

        assertThat(shownFields(secret)).containsExactlyInAnyOrder("id", "firstName", "department");
        Reply basic = api.withKey("/api/v1/people", secret, Scheme.BASIC);
        assertThat(basic.status()).as(basic.toString()).isEqualTo(200);
        JsonObject one = people(secret).getJsonObject(0);
        Reply single = api.withKey("/api/v1/people/" + one.getString("id"), secret);
        assertThat(single.status()).as(single.toString()).isEqualTo(200);
        assertThat(single.json().fieldNames()).containsExactlyInAnyOrder("id", "firstName", "department");
    }

    @Test
    @DisplayName(
            "an INHERIT key follows its owner's access level live: shrink the level and the next key request loses the field, then the permission")
    void anInheritKeyFollowsTheOwnersLevelLive() {
        Dev dev = developer("Inheritor", READ_FIELDS, "people:read", "keys:create-own");
        String secret = secret(api.createKey(dev.session(), keyBody("inherit", "PEOPLE", "INHERIT")));
        assertThat(shownFields(secret)).contains("salary", "firstName", "department");
        assertThat(shownFields(secret)).as("cached now").contains("salary");

        api.updateLevel(
                owner,
                dev.levelId(),
                dev.level()
                        .copy()
                        .put(
                                "fieldRights",
                                new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW")));
        assertThat(shownFields(secret))
                .as("the very next request after the level lost salary and department")
                .containsExactlyInAnyOrder("id", "firstName", "lastName");

        api.updateLevel(
                owner,
                dev.levelId(),
                dev.level()
                        .copy()
                        .put("fieldRights", new JsonObject().put("firstName", "VIEW"))
                        .put("permissions", new JsonArray().add("keys:create-own")));
        Reply denied = api.withKey("/api/v1/people", secret);
        assertThat(problem(denied, 403).getString("detail")).contains("people:read");

        api.updateLevel(owner, dev.levelId(), dev.level());
        assertThat(shownFields(secret)).as("and grows back with the level").contains("salary");
    }

    @Test
    @DisplayName(
            "a SCOPED key never exceeds its owner: granting beyond the owner is refused, and shrinking the owner's level narrows the key at once")
    void aScopedKeyNeverExceedsItsOwner() {
        Dev dev = developer("Scoped", READ_FIELDS, "people:read", "keys:create-own");
        Reply tooMuch = api.createKeyReply(
                dev.session(),
                keyBody("too much", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray().add("people:read"))
                        .put("fieldRights", new JsonObject().put("nationalId", "VIEW")));
        assertThat(problem(tooMuch, 403).getString("field")).isEqualTo("fieldRights.nationalId");
        assertThat(problemType(tooMuch)).as(tooMuch.toString()).isEqualTo("escalation");

        JsonObject created = api.createKey(
                dev.session(),
                keyBody("scoped", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray().add("people:read"))
                        .put(
                                "fieldRights",
                                new JsonObject().put("firstName", "VIEW").put("salary", "VIEW")));
        String secret = secret(created);
        assertThat(shownFields(secret)).containsExactlyInAnyOrder("id", "firstName", "salary");

        api.updateLevel(
                owner,
                dev.levelId(),
                dev.level()
                        .copy()
                        .put(
                                "fieldRights",
                                new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW")));
        assertThat(shownFields(secret))
                .as("salary went with the owner's level; lastName was never the key's")
                .containsExactlyInAnyOrder("id", "firstName");

        api.updateLevel(
                owner, dev.levelId(), dev.level().copy().put("permissions", new JsonArray().add("keys:create-own")));
        assertThat(status(secret)).as("people:read went with the owner's level").isEqualTo(403);
        Reply stored = api.getKey(dev.session(), id(created));
        assertThat(stored.json().getJsonArray("permissions").getList())
                .as("the key's own grant is unchanged")
                .containsExactly("people:read");
    }

    @Test
    @DisplayName("changing a key to hold more than its owner is refused as escalation and changes nothing")
    void grantingBeyondTheOwnerIsEscalation() {
        Dev dev = developer("Escalator", fields("firstName", "VIEW"), "people:read", "keys:create-own");
        JsonObject created = api.createKey(
                dev.session(), keyBody("escalate", "PEOPLE", "SCOPED").put("permissions", new JsonArray()));
        String before = api.getKey(dev.session(), id(created)).body();

        Reply salary = api.patchKey(
                dev.session(),
                id(created),
                new JsonObject()
                        .put("permissions", new JsonArray().add("people:read"))
                        .put("fieldRights", new JsonObject().put("salary", "VIEW")));
        assertThat(problemType(salary)).as(salary.toString()).isEqualTo("escalation");
        assertThat(problem(salary, 403).getString("field")).isEqualTo("fieldRights.salary");
        Reply edit = api.patchKey(
                dev.session(),
                id(created),
                new JsonObject().put("fieldRights", new JsonObject().put("firstName", "EDIT")));
        assertThat(problem(edit, 403).getString("field")).isEqualTo("fieldRights.firstName");
        assertThat(problemType(edit)).isEqualTo("escalation");
        Reply notHeld = api.patchKey(
                owner, id(created), new JsonObject().put("permissions", new JsonArray().add("people:delete")));
        assertThat(problem(notHeld, 403).getString("field"))
                .as("the permission's index in the request")
                .isEqualTo("permissions.0");
        assertThat(problemType(notHeld))
                .as("the admin changing it does not lift the owner's bound: %s", notHeld)
                .isEqualTo("escalation");

        assertThat(api.getKey(dev.session(), id(created)).body()).isEqualTo(before);
        assertThat(status(secret(created))).isEqualTo(403);
    }

    @Test
    @DisplayName("disabling refuses the key on the very next request; enabling restores it")
    void disableAndEnable() {
        Dev dev = developer("Switcher", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("switch", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(status(secret)).isEqualTo(200);
        assertThat(status(secret)).as("cached").isEqualTo(200);

        Reply disabled = api.keyAction(dev.session(), id(created), "disable", null);
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        assertThat(disabled.json().getString("status")).isEqualTo("DISABLED");
        problem(api.withKey("/api/v1/people", secret), 401);
        assertThat(api.withKey("/api/v1/people", secret, Scheme.BASIC).status()).isEqualTo(401);

        Reply enabled = api.keyAction(dev.session(), id(created), "enable", null);
        assertThat(enabled.json().getString("status")).as(enabled.toString()).isEqualTo("ACTIVE");
        assertThat(status(secret)).isEqualTo(200);
    }

    @Test
    @DisplayName("a revoked key is refused at once and can no longer be changed (409)")
    void revokeIsFinal() {
        Dev dev = developer("Revoker", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("revoke", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(status(secret)).isEqualTo(200);

        Reply revoked = api.keyAction(dev.session(), id(created), "revoke", null);
        assertThat(revoked.json().getString("status")).as(revoked.toString()).isEqualTo("REVOKED");
        problem(api.withKey("/api/v1/people", secret), 401);

        List<Reply> changes = List.of(
                api.keyAction(dev.session(), id(created), "enable", null),
                api.keyAction(dev.session(), id(created), "disable", null),
                api.keyAction(dev.session(), id(created), "revoke", null),
                api.keyAction(dev.session(), id(created), "rotate", new JsonObject().put("gracePeriodSeconds", 0)),
                api.patchKey(dev.session(), id(created), new JsonObject().put("name", "back to life")),
                api.keyAction(owner, id(created), "transfer", new JsonObject().put("ownerUserId", owner.userId())));
        for (Reply r : changes) {
            assertThat(problem(r, 409).getString("type")).as(r.toString()).endsWith("api-key-revoked");
        }
        assertThat(status(secret)).isEqualTo(401);
        assertThat(api.getKey(dev.session(), id(created)).json().getString("status"))
                .isEqualTo("REVOKED");
    }

    @Test
    @DisplayName("rotating with no grace period refuses the old secret at once; the new secret works")
    void rotateWithoutGrace() {
        Dev dev = developer("Rotator", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("rotate now", "PEOPLE", "INHERIT"));
        String old = secret(created);
        assertThat(status(old)).isEqualTo(200);

        Reply rotated =
                api.keyAction(dev.session(), id(created), "rotate", new JsonObject().put("gracePeriodSeconds", 0));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String fresh = rotated.json().getString("secret");
        assertThat(KeyFormat.isWellFormed(fresh)).isTrue();
        assertThat(fresh)
                .isNotEqualTo(old)
                .startsWith(rotated.json().getJsonObject("key").getString("hint"));
        assertThat(rotated.json().getJsonObject("key").getString("id")).isEqualTo(id(created));

        assertThat(status(old))
                .as("the old secret, right after rotation without grace")
                .isEqualTo(401);
        assertThat(status(fresh)).isEqualTo(200);
        assertThat(api.getKey(dev.session(), id(created)).json().containsKey("previousSecretValidUntil"))
                .isFalse();
    }

    @Test
    @DisplayName("rotating with a 60-second grace period keeps both the old and the new secret working")
    void rotateWithGrace() {
        Dev dev = developer("Graceful", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("rotate gently", "PEOPLE", "INHERIT"));
        String old = secret(created);
        assertThat(status(old)).isEqualTo(200);

        Reply rotated =
                api.keyAction(dev.session(), id(created), "rotate", new JsonObject().put("gracePeriodSeconds", 60));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String fresh = rotated.json().getString("secret");
        assertThat(status(old)).isEqualTo(200);
        assertThat(status(fresh)).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", old, Scheme.BASIC).status()).isEqualTo(200);
        String until = api.getKey(dev.session(), id(created)).json().getString("previousSecretValidUntil");
        assertThat(until).isNotNull();
        assertThat(Instant.parse(until))
                .isBetween(Instant.now().plusSeconds(30), Instant.now().plusSeconds(90));
    }

    @Test
    @DisplayName(
            "an admin with manage ALL transfers a key to another active user; the key then acts for, and belongs to, the new owner")
    void transferToAnotherActiveUser() {
        Dev from = developer("Giver", READ_FIELDS, "people:read", "keys:create-own");
        Dev to = developer("Taker", fields("firstName", "VIEW"), "people:read", "keys:create-own");
        JsonObject created = api.createKey(from.session(), keyBody("handover", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(shownFields(secret)).contains("salary");

        Reply byOwnerOfKey = api.keyAction(
                from.session(), id(created), "transfer", new JsonObject().put("ownerUserId", to.userId()));
        problem(byOwnerOfKey, 403);

        Reply moved = api.keyAction(owner, id(created), "transfer", new JsonObject().put("ownerUserId", to.userId()));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().getJsonObject("owner").getString("id")).isEqualTo(to.userId());
        assertThat(shownFields(secret)).as("now the new owner's rights").containsExactlyInAnyOrder("id", "firstName");
        assertThat(api.getKey(to.session(), id(created)).status()).isEqualTo(200);
        assertThat(api.getKey(from.session(), id(created)).status())
                .as("no longer the giver's")
                .isEqualTo(404);
        assertThat(api.get("/api/v1/api-keys", to.session()).body()).contains(id(created));

        Dev gone = developer("Departed", READ_FIELDS, "people:read", "keys:create-own");
        api.deactivate(owner, gone.userId());
        Reply toInactive =
                api.keyAction(owner, id(created), "transfer", new JsonObject().put("ownerUserId", gone.userId()));
        assertThat(problem(toInactive, 409).getString("type")).endsWith("owner-inactive");
        assertThat(api.getKey(to.session(), id(created))
                        .json()
                        .getJsonObject("owner")
                        .getString("id"))
                .isEqualTo(to.userId());
    }

    @Test
    @DisplayName("deactivating the owner refuses the key and lists it OWNER_INACTIVE; reactivating makes it work again")
    void ownerDeactivation() {
        Dev dev = developer("Leaver", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(dev.session(), keyBody("leaver", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(status(secret)).isEqualTo(200);

        api.deactivate(owner, dev.userId());
        problem(api.withKey("/api/v1/people", secret), 401);
        Reply listed = api.get("/api/v1/organization/api-keys?ownerUserId=" + dev.userId(), owner);
        assertThat(listed.items()).hasSize(1);
        assertThat(listed.items().getJsonObject(0).getString("status")).isEqualTo("OWNER_INACTIVE");
        assertThat(api.get("/api/v1/organization/api-keys?status=OWNER_INACTIVE", owner)
                        .body())
                .contains(id(created));
        assertThat(api.getKey(owner, id(created)).json().getString("status")).isEqualTo("OWNER_INACTIVE");

        api.reactivate(owner, dev.userId());
        assertThat(status(secret)).isEqualTo(200);
        assertThat(api.getKey(owner, id(created)).json().getString("status")).isEqualTo("ACTIVE");
    }

    @Test
    @DisplayName("a key past its expiry is refused and listed EXPIRED")
    void expiredKeyIsRefused() throws Exception {
        Dev dev = developer("Mayfly", READ_FIELDS, "people:read", "keys:create-own");
        Instant expires = Instant.now().plusSeconds(3);
        JsonObject created = api.createKey(
                dev.session(), keyBody("mayfly", "PEOPLE", "INHERIT").put("expiresAt", expires.toString()));
        String secret = secret(created);
        assertThat(status(secret)).isEqualTo(200);
        assertThat(status(secret)).as("cached").isEqualTo(200);

        Thread.sleep(Math.max(0, expires.toEpochMilli() - System.currentTimeMillis()) + 300);
        problem(api.withKey("/api/v1/people", secret), 401);
        assertThat(api.getKey(dev.session(), id(created)).json().getString("status"))
                .isEqualTo("EXPIRED");
    }

    @Test
    @DisplayName("a key whose IP allowlist does not cover the caller is refused; widening the allowlist admits it")
    void ipAllowlist() {
        Dev dev = developer("Fenced", READ_FIELDS, "people:read", "keys:create-own");
        JsonObject created = api.createKey(
                dev.session(),
                keyBody("fenced", "PEOPLE", "INHERIT").put("ipAllowlist", new JsonArray().add("10.0.0.0/8")));
        String secret = secret(created);
        problem(api.withKey("/api/v1/people", secret), 401);
        assertThat(api.withKey("/api/v1/people", secret, Scheme.BASIC).status()).isEqualTo(401);

        Reply widened = api.patchKey(
                dev.session(),
                id(created),
                new JsonObject()
                        .put("ipAllowlist", new JsonArray().add("10.0.0.0/8").add("127.0.0.0/8")));
        assertThat(widened.status()).as(widened.toString()).isEqualTo(200);
        assertThat(status(secret)).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "a key calls no management operation, even when its owner may: every session-only operation answers 401")
    void aKeyCallsNoManagementOperation() {
        JsonObject created = api.createKey(owner, keyBody("owner's people key", "PEOPLE", "INHERIT"));
        String secret = secret(created);
        assertThat(status(secret)).isEqualTo(200);
        List<Object[]> operations = List.of(
                new Object[] {HttpMethod.GET, "/api/v1/users", null},
                new Object[] {HttpMethod.GET, "/api/v1/me", null},
                new Object[] {HttpMethod.GET, "/api/v1/api-keys", null},
                new Object[] {HttpMethod.POST, "/api/v1/api-keys", keyBody("minted by a key", "PEOPLE", "INHERIT")},
                new Object[] {HttpMethod.GET, "/api/v1/api-keys/" + id(created), null},
                new Object[] {
                    HttpMethod.POST,
                    "/api/v1/api-keys/" + id(created) + "/rotate",
                    new JsonObject().put("gracePeriodSeconds", 0)
                },
                new Object[] {HttpMethod.GET, "/api/v1/organization/api-keys", null},
                new Object[] {
                    HttpMethod.PUT,
                    "/api/v1/organization/policies",
                    new JsonObject().put("expiryRequired", false).put("allowedIpRanges", new JsonArray())
                },
                new Object[] {
                    HttpMethod.POST, "/api/v1/access-levels", KeysApi.levelBody("By key", Map.of(), "people:read")
                },
                new Object[] {
                    HttpMethod.POST,
                    "/api/v1/users",
                    new JsonObject()
                            .put("email", uniqueEmail("by-key"))
                            .put("firstName", "B")
                            .put("lastName", "K")
                            .put("kind", "EMPLOYEE")
                });
        for (Scheme scheme : Scheme.values()) {
            for (Object[] op : operations) {
                Reply r = api.withKey((HttpMethod) op[0], (String) op[1], secret, scheme, op[2]);
                assertThat(r.status()).as("%s with a %s key", r, scheme).isEqualTo(401);
            }
        }
        assertThat(api.get("/api/v1/api-keys", owner).items().size())
                .as("no key was minted by a key")
                .isEqualTo(api.get("/api/v1/api-keys?limit=200", owner).items().stream()
                        .filter(k -> !((JsonObject) k).getString("name").equals("minted by a key"))
                        .count());
        // people writes accept keys since issue 15, but an INHERIT key inherits reads only (ADR 0012): refused
        for (Scheme scheme : Scheme.values()) {
            Reply write = api.withKey(
                    HttpMethod.POST,
                    "/api/v1/people",
                    secret,
                    scheme,
                    new JsonObject().put("firstName", "Key").put("lastName", "Made"));
            assertThat(write.status()).as("%s with a %s key", write, scheme).isEqualTo(403);
        }
        assertThat(status(secret)).as("and the key still works").isEqualTo(200);
    }

    @Test
    @DisplayName(
            "an AUDIT key cannot read people and a PEOPLE key cannot read the audit log, whatever the owner may do")
    void aKeyCallsOnlyItsApiType() {
        String audit = secret(api.createKey(owner, keyBody("siem", "AUDIT", "INHERIT")));
        String people = secret(api.createKey(owner, keyBody("hr sync", "PEOPLE", "INHERIT")));

        assertThat(api.withKey("/api/v1/audit-events", audit).status()).isEqualTo(200);
        assertThat(problem(api.withKey("/api/v1/people", audit), 403).getString("type"))
                .endsWith("outside-api-type");
        assertThat(api.withKey("/api/v1/people", people).status()).isEqualTo(200);
        assertThat(problem(api.withKey("/api/v1/audit-events", people), 403).getString("type"))
                .endsWith("outside-api-type");
        assertThat(api.withKey("/api/v1/audit-events", people, Scheme.BASIC).status())
                .isEqualTo(403);

        Reply wrongPermission = api.createKeyReply(
                owner,
                keyBody("audit with people", "AUDIT", "SCOPED").put("permissions", new JsonArray().add("people:read")));
        problem(wrongPermission, 400);
    }

    @Test
    @DisplayName("a key in the URL is refused, even with a valid Authorization header, and the answer never echoes it")
    void aKeyInTheUrlIsRefused() {
        String secret = secret(api.createKey(owner, keyBody("in the url", "PEOPLE", "INHERIT")));
        for (String query : List.of("api_key=", "key=", "token=", "access_token=", "apikey=", "q=")) {
            Reply r = api.get("/api/v1/people?" + query + secret, null);
            // the contract allows 400 or 401 here; the key must not authenticate and must not come back
            assertThat(r.status()).as(r.toString()).isIn(400, 401);
            assertThat(r.body()).doesNotContain(secret).doesNotContain(secret.substring(4, 20));
            assertThat(r.headers().entries().toString()).doesNotContain(secret);
        }
        Reply both = api.call(
                HttpMethod.GET,
                "/api/v1/people?api_key=" + secret,
                null,
                null,
                Map.of("Authorization", KeysApi.authorization(secret, Scheme.BEARER)));
        assertThat(both.status()).as(both.toString()).isIn(400, 401);
        assertThat(both.body()).doesNotContain(secret);
    }

    @Test
    @DisplayName(
            "WWW-Authenticate: Basic challenges only requests that used Basic; Bearer, cookie and bare requests get none")
    void basicChallengeOnlyForBasic() {
        String forged = KeyFormat.generate();
        Reply basic = api.withKey("/api/v1/people", forged, Scheme.BASIC);
        problem(basic, 401);
        assertThat(basic.header("WWW-Authenticate")).isNotNull().startsWith("Basic");

        Reply bearer = api.withKey("/api/v1/people", forged, Scheme.BEARER);
        problem(bearer, 401);
        assertThat(bearer.headers().getAll("WWW-Authenticate"))
                .as(bearer.headers().toString())
                .isEmpty();

        Reply cookie = api.get("/api/v1/people", new Session("not-a-session", null, new JsonObject()));
        problem(cookie, 401);
        assertThat(cookie.headers().getAll("WWW-Authenticate")).isEmpty();

        Reply bare = api.get("/api/v1/people", null);
        problem(bare, 401);
        assertThat(bare.headers().getAll("WWW-Authenticate")).isEmpty();

        Reply sessionOnly = api.withKey("/api/v1/users", forged, Scheme.BEARER);
        assertThat(sessionOnly.status()).isEqualTo(401);
        assertThat(sessionOnly.headers().getAll("WWW-Authenticate")).isEmpty();
    }

    @Test
    @DisplayName(
            "organization policies hold on create and update: expiry required, a 30-day maximum and an allowlist within 10.0.0.0/8")
    void organizationPolicies() {
        Session admin = api.signUp("Policy Org", uniqueEmail("policy-owner"));
        // a key made before the policies: it may be renamed later, but not changed against them
        String older = id(api.createKey(admin, keyBody("older", "PEOPLE", "INHERIT")));
        Reply badRange = api.put(
                "/api/v1/organization/policies",
                admin,
                new JsonObject()
                        .put("expiryRequired", false)
                        .put(
                                "allowedIpRanges",
                                new JsonArray().add("10.0.0.0/8").add("10.0.0.0/33")));
        assertThat(problem(badRange, 400).getString("field"))
                .as("the bad range by its index")
                .isEqualTo("allowedIpRanges.1");
        Reply saved = api.put(
                "/api/v1/organization/policies",
                admin,
                new JsonObject()
                        .put("expiryRequired", true)
                        .put("maxKeyLifetimeDays", 30)
                        .put("allowedIpRanges", new JsonArray().add("10.0.0.0/8")));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(api.get("/api/v1/organization/policies", admin).json().getInteger("maxKeyLifetimeDays"))
                .isEqualTo(30);

        JsonArray inside = new JsonArray().add("10.1.0.0/16");
        long day = 86_400;
        Map<String, JsonObject> violations = new LinkedHashMap<>();
        violations.put("no expiry", keyBody("p1", "PEOPLE", "INHERIT").put("ipAllowlist", inside));
        violations.put(
                "beyond 30 days",
                keyBody("p2", "PEOPLE", "INHERIT").put("ipAllowlist", inside).put("expiresAt", inSeconds(40 * day)));
        violations.put("no allowlist", keyBody("p3", "PEOPLE", "INHERIT").put("expiresAt", inSeconds(10 * day)));
        violations.put(
                "allowlist outside",
                keyBody("p4", "PEOPLE", "INHERIT")
                        .put("expiresAt", inSeconds(10 * day))
                        .put("ipAllowlist", new JsonArray().add("192.168.0.0/16")));
        violations.put(
                "allowlist wider",
                keyBody("p5", "PEOPLE", "INHERIT")
                        .put("expiresAt", inSeconds(10 * day))
                        .put("ipAllowlist", new JsonArray().add("0.0.0.0/0")));
        Reply renamed = api.patchKey(admin, older, new JsonObject().put("name", "older, renamed"));
        assertThat(renamed.status())
                .as("renaming a key made before the policies: %s", renamed)
                .isEqualTo(200);
        Reply olderOutside =
                api.patchKey(admin, older, new JsonObject().put("ipAllowlist", new JsonArray().add("192.168.1.0/24")));
        assertThat(problem(olderOutside, 400).getString("field")).isEqualTo("ipAllowlist.0");
        violations.forEach((what, body) -> {
            Reply r = api.createKeyReply(admin, body);
            assertThat(problem(r, 400).getString("type")).as("%s: %s", what, r).endsWith("policy-violation");
        });
        assertThat(api.get("/api/v1/api-keys", admin).items())
                .as("nothing was created")
                .hasSize(1);

        JsonObject created = api.createKey(
                admin,
                keyBody("compliant", "PEOPLE", "INHERIT")
                        .put("ipAllowlist", inside)
                        .put("expiresAt", inSeconds(29 * day)));
        String keyId = id(created);
        Reply clearExpiry = api.patchKey(admin, keyId, new JsonObject().put("expiresAt", null));
        assertThat(problem(clearExpiry, 400).getString("type")).endsWith("policy-violation");
        Reply outside =
                api.patchKey(admin, keyId, new JsonObject().put("ipAllowlist", new JsonArray().add("127.0.0.1/32")));
        assertThat(problem(outside, 400).getString("type")).endsWith("policy-violation");
        Reply longer = api.patchKey(admin, keyId, new JsonObject().put("expiresAt", inSeconds(60 * day)));
        assertThat(problem(longer, 400).getString("type")).endsWith("policy-violation");
        JsonObject after = api.getKey(admin, keyId).json();
        assertThat(after.getJsonArray("ipAllowlist").getList()).containsExactly("10.1.0.0/16");
        assertThat(after.getString("expiresAt")).isNotNull();
    }

    @Test
    @DisplayName(
            "partners: the three platform-wide entries, the organization's own, and never another organization's for a key")
    void partners() {
        Session a = api.signUp("Partner Org A", uniqueEmail("partner-a"));
        Session b = api.signUp("Partner Org B", uniqueEmail("partner-b"));
        Reply listed = api.get("/api/v1/partners", a);
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        assertThat(listed.items()).hasSize(3);
        assertThat(listed.items().stream()
                        .map(p -> ((JsonObject) p).getString("name"))
                        .toList())
                .containsExactlyInAnyOrder(
                        "Payroll provider", "Benefits platform", "Security information and event management");
        assertThat(listed.items().stream().allMatch(p -> ((JsonObject) p).getBoolean("platformWide")))
                .isTrue();

        Reply own = api.post(
                "/api/v1/partners",
                a,
                new JsonObject()
                        .put("name", "Acme Payroll")
                        .put("website", "https://acme.example")
                        .put("usualPermissions", new JsonArray().add("people:read")));
        assertThat(own.status()).as(own.toString()).isEqualTo(201);
        assertThat(own.json().getBoolean("platformWide")).isFalse();
        assertThat(api.get("/api/v1/partners", a).items()).hasSize(4);
        Reply bOwn = api.post("/api/v1/partners", b, new JsonObject().put("name", "B's secret partner"));
        assertThat(bOwn.status()).as(bOwn.toString()).isEqualTo(201);
        assertThat(api.get("/api/v1/partners", a).body())
                .doesNotContain("B's secret partner")
                .doesNotContain(bOwn.json().getString("id"));
        assertThat(api.get("/api/v1/partners", b).items()).hasSize(4);

        String platformId = listed.items().getJsonObject(0).getString("id");
        JsonObject withOwn = api.createKey(
                a,
                keyBody("for acme", "PEOPLE", "INHERIT")
                        .put("partnerId", own.json().getString("id")));
        assertThat(withOwn.getJsonObject("key").getString("partnerId"))
                .isEqualTo(own.json().getString("id"));
        JsonObject withPlatform =
                api.createKey(a, keyBody("for platform", "PEOPLE", "INHERIT").put("partnerId", platformId));
        assertThat(withPlatform.getJsonObject("key").getString("partnerId")).isEqualTo(platformId);
        Reply filtered =
                api.get("/api/v1/organization/api-keys?partnerId=" + own.json().getString("id"), a);
        assertThat(filtered.items()).hasSize(1);

        Reply foreign = api.createKeyReply(
                a,
                keyBody("for b's partner", "PEOPLE", "INHERIT")
                        .put("partnerId", bOwn.json().getString("id")));
        assertThat(problem(foreign, 400).getString("field"))
                .as(foreign.toString())
                .isEqualTo("partnerId");
        Reply unknown = api.createKeyReply(
                a,
                keyBody("for nobody", "PEOPLE", "INHERIT")
                        .put("partnerId", java.util.UUID.randomUUID().toString()));
        problem(unknown, 400);
        assertThat(api.get("/api/v1/api-keys", a).items()).hasSize(2);
    }
}
