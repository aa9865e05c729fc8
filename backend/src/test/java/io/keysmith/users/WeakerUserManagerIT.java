package io.keysmith.users;

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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, item 4: a user manager holding only {@code users:read} + {@code users:manage} changes, deactivates and
 * reactivates nobody whose level grants something they do not hold (403 naming it), and assigns no such level.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("User managers: nobody changes, deactivates or reactivates a user holding more than they do")
class WeakerUserManagerIT {
    private static TestServer server;
    private static KeysApi api;
    private static Session owner;
    private static Session manager;
    private static String managerLevel;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("weaker_user_manager");
        api = new KeysApi(vertx, server.port());
        owner = api.signUp("Weaker Managers Org", uniqueEmail("wm-owner"));
        managerLevel = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "User managers")
                        .put("recordScope", "OWN")
                        .put("fieldRights", new JsonObject())
                        .put("permissions", new JsonArray(List.of("users:read", "users:manage"))));
        manager = api.createSignedInUser(owner, uniqueEmail("user-manager"), managerLevel);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static JsonObject user(String id) {
        Reply r = api.get("/api/v1/users/" + id, owner);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** 403 whose detail names a permission the target's level grants and the manager lacks. */
    private static void namesWhatIsNotHeld(Reply r) {
        JsonObject p = problem(r, 403);
        assertThat(p.getString("detail")).as(p.encode()).containsPattern("permission '[a-z-]+:[a-z-]+'");
    }

    @Test
    @DisplayName("moving a Full Admin to the manager's own level is 403 naming what the manager lacks; nothing changes")
    void aFullAdminsLevel_cannotBeChanged() {
        Session admin = api.createSignedInUser(owner, uniqueEmail("fa"), api.builtinLevel(owner, "FULL_ADMIN"));
        namesWhatIsNotHeld(api.patch(
                "/api/v1/users/" + admin.userId(), manager, new JsonObject().put("accessLevelId", managerLevel)));
        assertThat(user(admin.userId()).getJsonObject("accessLevel").getString("builtin"))
                .isEqualTo("FULL_ADMIN");
        namesWhatIsNotHeld(
                api.patch("/api/v1/users/" + admin.userId(), manager, new JsonObject().put("firstName", "Mallory")));
        assertThat(user(admin.userId()).getString("firstName")).isNotEqualTo("Mallory");
    }

    @Test
    @DisplayName("deactivating a Full Admin is 403 naming what the manager lacks; the Full Admin stays active")
    void aFullAdmin_cannotBeDeactivated() {
        Session admin = api.createSignedInUser(owner, uniqueEmail("fa2"), api.builtinLevel(owner, "FULL_ADMIN"));
        namesWhatIsNotHeld(api.post("/api/v1/users/" + admin.userId() + "/deactivate", manager, null));
        assertThat(user(admin.userId()).getString("status")).isEqualTo("ACTIVE");
        assertThat(api.get("/api/v1/me", admin).status())
                .as("the admin's session lives")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("reactivating a deactivated Account Owner is 403 naming what the manager lacks; it stays deactivated")
    void aDeactivatedAccountOwner_cannotBeReactivated() {
        Session second = api.createSignedInUser(owner, uniqueEmail("ao2"), api.builtinLevel(owner, "ACCOUNT_OWNER"));
        api.deactivate(owner, second.userId());
        namesWhatIsNotHeld(api.post("/api/v1/users/" + second.userId() + "/reactivate", manager, null));
        assertThat(user(second.userId()).getString("status")).isEqualTo("DEACTIVATED");
    }

    @Test
    @DisplayName("an Employee holds rights the manager lacks too: not changed, deactivated, nor given a stronger level")
    void anEmployee_withMoreRights_isOutOfReach() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("emp"), null);
        namesWhatIsNotHeld(api.post("/api/v1/users/" + employee.userId() + "/deactivate", manager, null));
        Session peer = api.createSignedInUser(owner, uniqueEmail("peer"), managerLevel);
        problem(
                api.patch(
                        "/api/v1/users/" + peer.userId(),
                        manager,
                        new JsonObject().put("accessLevelId", api.builtinLevel(owner, "FULL_ADMIN"))),
                403);
        assertThat(user(peer.userId()).getJsonObject("accessLevel").getString("id"))
                .isEqualTo(managerLevel);
    }

    @Test
    @DisplayName("users within the manager's own rights are still theirs to change, deactivate and reactivate")
    void usersWithinOnesRights_remainManageable() {
        Session peer = api.createSignedInUser(owner, uniqueEmail("peer2"), managerLevel);
        Reply renamed = api.patch("/api/v1/users/" + peer.userId(), manager, new JsonObject().put("firstName", "Ren"));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(api.post("/api/v1/users/" + peer.userId() + "/deactivate", manager, null)
                        .status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/users/" + peer.userId() + "/reactivate", manager, null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    @DisplayName("another organization's manager gets 404 for these users and changes nothing")
    void anotherOrganization_findsNothing() {
        Session other = api.signUp("Other Managers Org", uniqueEmail("wm-other"));
        Session admin = api.createSignedInUser(owner, uniqueEmail("fa3"), api.builtinLevel(owner, "FULL_ADMIN"));
        problem(api.post("/api/v1/users/" + admin.userId() + "/deactivate", other, null), 404);
        problem(
                api.patch(
                        "/api/v1/users/" + admin.userId(),
                        other,
                        new JsonObject().put("accessLevelId", api.builtinLevel(other, "EMPLOYEE"))),
                404);
        assertThat(user(admin.userId()).getString("status")).isEqualTo("ACTIVE");
    }
}
