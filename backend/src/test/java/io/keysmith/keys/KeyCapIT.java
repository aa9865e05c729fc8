package io.keysmith.keys;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 item 8: no cap on keys per user (300 in 1.6 s, each with its own rate budget). The organization's policy
 * {@code maxKeysPerUser} (default 1,000) caps the keys a user owns that are not revoked; creating or transferring one
 * above it is a 409.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Keys per user are capped by an organization policy")
class KeyCapIT {
    private static TestServer server;
    private static Api api;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("key_cap");
        api = new Api(vertx, server.port());
        owner = api.signUp("Key Cap Org", uniqueEmail("cap-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<Buffer> createKey(Session s, String name) {
        return api.post(
                "/api/v1/api-keys",
                s,
                new JsonObject()
                        .put("name", name)
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
    }

    private static JsonObject policies(int cap) {
        return new JsonObject()
                .put("expiryRequired", false)
                .put("allowedIpRanges", new JsonArray())
                .put("maxKeysPerUser", cap);
    }

    @Test
    void theDefaultIsOneThousand_andTheCapIsEnforcedOnCreateAndTransfer() {
        assertThat(api.get("/api/v1/organization/policies", owner)
                        .bodyAsJsonObject()
                        .getInteger("maxKeysPerUser"))
                .isEqualTo(1000);
        HttpResponse<Buffer> saved = api.put("/api/v1/organization/policies", owner, policies(2));
        assertThat(saved.statusCode()).as(saved.bodyAsString()).isEqualTo(200);
        assertThat(saved.bodyAsJsonObject().getInteger("maxKeysPerUser")).isEqualTo(2);

        assertThat(createKey(owner, "one").statusCode()).isEqualTo(201);
        String second =
                createKey(owner, "two").bodyAsJsonObject().getJsonObject("key").getString("id");
        JsonObject over = problem(createKey(owner, "three"), 409);
        assertThat(over.getString("type")).endsWith("/key-limit-reached");
        assertThat(over.getString("detail")).contains("2");

        // a revoked key no longer counts
        assertThat(api.post("/api/v1/api-keys/" + second + "/revoke", owner, null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(createKey(owner, "three").statusCode()).isEqualTo(201);

        // transferring a key to a user at the cap is refused as well
        Session employee = api.createSignedInUser(owner, uniqueEmail("cap-employee"), null);
        String a = createKey(employee, "e1")
                .bodyAsJsonObject()
                .getJsonObject("key")
                .getString("id");
        assertThat(createKey(employee, "e2").statusCode()).isEqualTo(201);
        String mine = createKey(owner, "x").statusCode() == 409 ? null : "unexpected";
        assertThat(mine).as("the owner is at the cap").isNull();
        HttpResponse<Buffer> toOwner = api.post(
                "/api/v1/api-keys/" + a + "/transfer", owner, new JsonObject().put("ownerUserId", owner.userId()));
        problem(toOwner, 409);

        // out of range values are refused by the contract
        problem(api.put("/api/v1/organization/policies", owner, policies(0)), 400);
        problem(api.put("/api/v1/organization/policies", owner, policies(1_000_001)), 400);
    }
}
