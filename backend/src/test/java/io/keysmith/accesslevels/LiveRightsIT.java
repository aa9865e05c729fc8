package io.keysmith.accesslevels;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rights are read live: shrinking an access level (or moving a user to another) applies on the very next request of
 * every member, on every server. Two servers share one database; members signed in on one are served by the other.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Shrinking an access level takes effect on every member's next request, on every server")
class LiveRightsIT {
    private static final List<String> ALL_FIELDS = EscalationIT.ALL_FIELDS;

    private static TestServer one;
    private static TestServer two;
    private static Api api1;
    private static Api api2;

    @BeforeAll
    static void start(Vertx vertx) {
        var database = PostgresFixture.get().newDatabase("live_rights");
        one = TestServer.start(database, new JsonObject());
        two = TestServer.start(database, new JsonObject());
        api1 = new Api(vertx, one.port());
        api2 = new Api(vertx, two.port());
    }

    @AfterAll
    static void stop() throws Exception {
        one.close();
        two.close();
    }

    private static Map<String, String> fields(String salary) {
        Map<String, String> m = new LinkedHashMap<>();
        ALL_FIELDS.forEach(f -> m.put(f, "VIEW"));
        m.put("salary", salary);
        return m;
    }

    private static JsonObject person(Api api, Session s, String id) {
        HttpResponse<Buffer> r = api.get("/api/v1/people/" + id, s);
        assertThat(r.statusCode())
                .as("GET person on port %s: %s", api.port(), r.bodyAsString())
                .isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    @Test
    @DisplayName(
            "removing VIEW on salary, then people:read, via server 1: the members' next requests on server 2 lose them")
    void shrinkingALevel_appliesOnTheNextRequest_onTheOtherServer() {
        Session owner = api1.signUp("Live Rights Org", uniqueEmail("live-owner"));
        String personId = api1.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Sal")
                                .put("lastName", "Ary")
                                .put("salary", 72000.25))
                .getString("id");
        JsonObject body = Api.accessLevelBody("Payroll readers", "ALL", fields("VIEW"), "people:read", "users:read");
        String levelId = api1.createAccessLevel(owner, body).getString("id");
        Session first = api1.createSignedInUser(owner, uniqueEmail("live-member-1"), levelId);
        Session second = api1.createSignedInUser(owner, uniqueEmail("live-member-2"), levelId);
        for (Session m : List.of(first, second)) {
            for (Api api : List.of(api1, api2)) {
                assertThat(person(api, m, personId).getDouble("salary"))
                        .as("salary seen before")
                        .isEqualTo(72000.25);
            }
        }

        // salary VIEW -> NONE through server 1
        HttpResponse<Buffer> r = api1.put(
                "/api/v1/access-levels/" + levelId,
                owner,
                body.copy().put("fieldRights", new JsonObject(new LinkedHashMap<>(fields("NONE")))));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        for (Session m : List.of(first, second)) {
            JsonObject seen = person(api2, m, personId);
            assertThat(seen.containsKey("salary"))
                    .as("salary on server 2 right after: %s", seen.encode())
                    .isFalse();
            assertThat(seen.getString("firstName")).isEqualTo("Sal");
            HttpResponse<Buffer> list = api2.get("/api/v1/people", m);
            assertThat(list.bodyAsString()).doesNotContain("72000").doesNotContain("salary");
            assertThat(person(api1, m, personId).containsKey("salary")).isFalse();
            assertThat(api2.get("/api/v1/me", m)
                            .bodyAsJsonObject()
                            .getJsonObject("fieldRights")
                            .getString("salary"))
                    .isEqualTo("NONE");
        }

        // people:read removed through server 1: the next request on server 2 is 403 naming it
        r = api1.put(
                "/api/v1/access-levels/" + levelId,
                owner,
                body.copy().put("permissions", new io.vertx.core.json.JsonArray().add("users:read")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        for (Session m : List.of(first, second)) {
            JsonObject p = problem(api2.get("/api/v1/people/" + personId, m), 403);
            assertThat(p.getString("detail")).contains("people:read");
            problem(api2.get("/api/v1/people", m), 403);
            problem(api1.get("/api/v1/people", m), 403);
            assertThat(api2.get("/api/v1/users", m).statusCode())
                    .as("what the level still grants")
                    .isEqualTo(200);
        }

        // and growing it back applies just as fast
        r = api2.put("/api/v1/access-levels/" + levelId, owner, body);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(person(api1, first, personId).getDouble("salary")).isEqualTo(72000.25);
    }

    @Test
    @DisplayName("moving a member to a smaller level via server 1 applies on their next request on server 2")
    void movingAMember_appliesOnTheNextRequest_onTheOtherServer() {
        Session owner = api1.signUp("Live Move Org", uniqueEmail("move-owner"));
        String personId = api1.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Mo")
                                .put("lastName", "Ved")
                                .put("nationalId", "NID-LIVE-1"))
                .getString("id");
        Session admin = api1.createSignedInUser(owner, uniqueEmail("move-admin"), "FULL_ADMIN");
        assertThat(person(api2, admin, personId).getString("nationalId")).isEqualTo("NID-LIVE-1");
        assertThat(api2.get("/api/v1/audit-events", admin).statusCode()).isEqualTo(200);

        HttpResponse<Buffer> r = api1.patch(
                "/api/v1/users/" + admin.userId(),
                owner,
                new JsonObject().put("accessLevelId", api1.accessLevelId(owner, "EMPLOYEE")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);

        problem(api2.get("/api/v1/audit-events", admin), 403);
        problem(api2.get("/api/v1/people/" + personId, admin), 404); // scope OWN now: not their record
        assertThat(api2.get("/api/v1/people", admin).bodyAsJsonObject().getJsonArray("items"))
                .isEmpty();
        JsonObject me = api2.get("/api/v1/me", admin).bodyAsJsonObject();
        assertThat(me.getString("recordScope")).isEqualTo("OWN");
        assertThat(me.getJsonObject("user").getJsonObject("accessLevel").getString("builtin"))
                .isEqualTo("EMPLOYEE");
        problem(
                api2.post(
                        "/api/v1/access-levels", admin, Api.accessLevelBody("Sneaky", "OWN", Map.of(), "people:read")),
                403);
    }
}
