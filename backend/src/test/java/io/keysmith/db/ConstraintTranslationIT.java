package io.keysmith.db;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.keysmith.keys.KeyRepository;
import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.TestServer;
import io.keysmith.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each constraint a repository declares (db/DbErrors) fires on the real schema under its declared name and reaches the
 * caller as the answer the services used to build from the SQLSTATE: through the API where a request can trip it,
 * through the repository where only a race can (the service checks first).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A unique, foreign-key or check violation reaches the caller as the refusal its repository declared")
class ConstraintTranslationIT {
    private static TestServer server;
    private static Api api;
    private static Pool pool;
    private static Db db;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("constraint_translation");
        api = new Api(vertx, server.port());
        pool = PgBuilder.pool().connectingTo(server.database).using(vertx).build();
        db = new Db(pool);
        owner = api.signUp("Constraints Org", uniqueEmail("constraints-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        pool.close().await();
        server.close();
    }

    private static Throwable failureOf(Function<io.keysmith.db.Tenant, Future<?>> work) {
        return catchThrowable(() -> db.inOrganization(UUID.fromString(owner.organizationId()), work::apply)
                .await());
    }

    @Test
    void aTakenEMail_is409EmailTaken_onCreateAndOnChange() {
        String email = uniqueEmail("taken");
        api.createUser(owner, email, "EMPLOYEE", null);
        JsonObject user = new JsonObject()
                .put("email", email.toUpperCase(java.util.Locale.ROOT))
                .put("firstName", "Again")
                .put("lastName", "User")
                .put("kind", "EMPLOYEE");
        JsonObject p = problem(api.post("/api/v1/users", owner, user), 409);
        assertThat(p.getString("type")).endsWith("/email-taken");
        assertThat(p.getString("title")).isEqualTo("Conflict");
        assertThat(p.getString("detail")).isEqualTo("A user with this e-mail already exists in the organization");

        String other = api.createUser(owner, uniqueEmail("other"), "EMPLOYEE", null)
                .getJsonObject("user")
                .getString("id");
        p = problem(api.patch("/api/v1/users/" + other, owner, new JsonObject().put("email", email)), 409);
        assertThat(p.getString("type")).endsWith("/email-taken");
    }

    @Test
    void aTakenPartnerName_is409NameTaken() {
        JsonObject partner = new JsonObject().put("name", "Acme Payroll " + UUID.randomUUID());
        assertThat(api.post("/api/v1/partners", owner, partner).statusCode()).isEqualTo(201);
        JsonObject p = problem(
                api.post(
                        "/api/v1/partners",
                        owner,
                        partner.copy().put("name", partner.getString("name").toLowerCase(java.util.Locale.ROOT))),
                409);
        assertThat(p.getString("type")).endsWith("/name-taken");
        assertThat(p.getString("detail")).isEqualTo("A partner with this name already exists");
    }

    @Test
    void aPersonNamingNoManagerOrNoUser_is400NamingTheField_andASecondRecordForAUser_is409() {
        JsonObject p = problem(
                api.post(
                        "/api/v1/people",
                        owner,
                        new JsonObject()
                                .put("firstName", "Ada")
                                .put("lastName", "Lovelace")
                                .put("managerId", UUID.randomUUID().toString())),
                400);
        assertThat(p.getString("field")).isEqualTo("managerId");
        assertThat(p.getString("detail")).isEqualTo("Field 'managerId' names no record of this organization");

        p = problem(
                api.post(
                        "/api/v1/people",
                        owner,
                        new JsonObject()
                                .put("firstName", "Ada")
                                .put("lastName", "Lovelace")
                                .put("userId", UUID.randomUUID().toString())),
                400);
        assertThat(p.getString("field")).isEqualTo("userId");

        JsonObject linked = new JsonObject()
                .put("firstName", "Grace")
                .put("lastName", "Hopper")
                .put("userId", owner.userId());
        api.createPerson(owner, linked);
        p = problem(api.post("/api/v1/people", owner, linked), 409);
        assertThat(p.getString("type")).endsWith("/user-has-record");
        assertThat(p.getString("detail")).isEqualTo("That user is already linked to another record");
    }

    @Test
    void deletingAPersonWhoManagesOthers_isRefusedAsSuch_notAsAnUnknownManager() {
        // before: 400 "Field 'managerId' names no record of this organization" (the message of an insert)
        String manager = api.createPerson(
                        owner, new JsonObject().put("firstName", "Boss").put("lastName", "Person"))
                .getString("id");
        api.createPerson(
                owner,
                new JsonObject()
                        .put("firstName", "Report")
                        .put("lastName", "Person")
                        .put("managerId", manager));
        JsonObject p = problem(api.delete("/api/v1/people/" + manager, owner), 400);
        assertThat(p.getString("type")).endsWith("/invalid-request");
        assertThat(p.getString("detail"))
                .isEqualTo("This person is the manager of other records: give them another manager first");
        assertThat(p.containsKey("field")).isFalse();
        assertThat(api.get("/api/v1/people/" + manager, owner).statusCode()).isEqualTo(200);
    }

    @Test
    void aLevelGivenToSomeoneWhileItIsDeleted_isInUse() {
        JsonObject level = api.createAccessLevel(
                owner, Api.accessLevelBody("Racing " + UUID.randomUUID(), "OWN", Map.of(), "people:read"));
        api.createUser(owner, uniqueEmail("racer"), "EMPLOYEE", level.getString("id"));
        Throwable e = failureOf(t -> new AccessLevelRepository().delete(t, UUID.fromString(level.getString("id"))));
        assertThat(e).isInstanceOfSatisfying(Conflict.class, c -> {
            assertThat(c.code()).isEqualTo("access-level-in-use");
            assertThat(c.getMessage()).isEqualTo("The access level is in use");
        });
    }

    @Test
    void twoLevelsRacingToOneName_areNameTakenOnTheNameField() {
        String name = "Race " + UUID.randomUUID();
        api.createAccessLevel(owner, Api.accessLevelBody(name, "OWN", Map.of(), "people:read"));
        Throwable e = failureOf(t -> new AccessLevelRepository()
                .insert(
                        t,
                        Api.accessLevelBody(name.toLowerCase(java.util.Locale.ROOT), "OWN", Map.of(), "people:read")));
        assertThat(e).isInstanceOfSatisfying(Conflict.class, c -> {
            assertThat(c.code()).isEqualTo("name-taken");
            assertThat(c.field()).isEqualTo("name");
        });
    }

    @Test
    void aUserMovedToALevelThatIsGone_namesTheAccessLevelField() {
        Throwable e = failureOf(t -> new UserRepository()
                .update(
                        t,
                        UUID.fromString(owner.userId()),
                        new JsonObject().put("accessLevelId", UUID.randomUUID().toString())));
        assertThat(e).isInstanceOfSatisfying(Invalid.class, i -> {
            assertThat(i.field()).isEqualTo("accessLevelId");
            assertThat(i.getMessage()).isEqualTo("Field 'accessLevelId' names no access level");
        });
    }

    @Test
    void aKeyForAPartnerThatIsGone_namesThePartnerField() {
        UUID me = UUID.fromString(owner.userId());
        JsonObject body = new JsonObject()
                .put("name", "Orphan")
                .put("apiType", "PEOPLE")
                .put("partnerId", UUID.randomUUID().toString())
                .put("permissionMode", "INHERIT")
                .put("permissions", new JsonArray());
        Throwable e =
                failureOf(t -> new KeyRepository().insert(t, me, me, body, new byte[32], 1, "ksk_test", List.of()));
        assertThat(e).isInstanceOfSatisfying(Invalid.class, i -> {
            assertThat(i.field()).isEqualTo("partnerId");
            assertThat(i.getMessage()).isEqualTo("Field 'partnerId' names no partner");
        });
    }
}
