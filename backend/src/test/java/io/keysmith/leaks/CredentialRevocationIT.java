package io.keysmith.leaks;

import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.keys.KeyFormat;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18 item 3: anyone may report Keysmith secrets, without an account; the answer says nothing about them; a
 * valid one stops at once and is audited as a leak; each address has a budget; the body fits 1,000 secrets and no
 * more.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The public revocation API: one answer for everything, valid secrets stopped, throttled, bounded")
class CredentialRevocationIT {
    private static KeysApi api;
    private static DbProbe db;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(
                vertx, "credential_revocation", KeysApi.manyFailures().put("leaks.revocation.per.minute", 8));
        db = new DbProbe(api.server().database.getDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    private static Reply revoke(JsonArray credentials) {
        return api.post("/api/v1/credentials/revoke", null, new JsonObject().put("credentials", credentials));
    }

    /** A JSON body of {@code n} well-formed secrets, spaced as people paste them. */
    private static String bodyOf(int n) {
        StringBuilder sb = new StringBuilder("{\"credentials\": [");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(KeyFormat.generate())
                    .append('"');
        }
        return sb.append("]}").toString();
    }

    @Test
    @DisplayName("valid or not the answer is the same; a valid secret stops at once and its leak is audited")
    void theAnswerIsTheSame_andAValidSecretStops_thenTheAddressIsThrottled() {
        Session admin = api.signUp("Revocation Org", uniqueEmail("revocation"));
        JsonObject key = api.inheritKey(admin, "Found on a forum", "PEOPLE");
        String secret = key.getString("secret");
        String keyId = key.getJsonObject("key").getString("id");
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(200);

        Reply nothing = revoke(new JsonArray().add(KeyFormat.generate()).add("hello"));
        Reply real = revoke(new JsonArray().add(secret));
        assertThat(real.status()).isEqualTo(202).isEqualTo(nothing.status());
        assertThat(real.body()).isEqualTo(nothing.body()).doesNotContain(secret);

        Poll.until(
                () -> api.withKey("/api/v1/people", secret).status() == 401,
                Duration.ofSeconds(2),
                "the reported key refused");
        Poll.until(
                () -> db.count(
                                "SELECT count(*) FROM audit_events WHERE action = 'key.leaked' AND target_id = ?::text",
                                keyId)
                        == 1,
                Duration.ofSeconds(2),
                "the leak audited");
        assertThat(db.text(
                        "SELECT actor_label || ' ' || details::text FROM audit_events WHERE action = 'key.leaked'"
                                + " AND target_id = ?::text",
                        keyId))
                .contains("Public revocation API")
                .contains(admin.userId())
                .doesNotContain(secret);

        // the body fits 1,000 secrets (pasted with ", ") and no more; more items than that is 400 even if small
        assertThat(api.call(io.vertx.core.http.HttpMethod.POST, "/api/v1/credentials/revoke", null, bodyOf(1000))
                        .status())
                .isEqualTo(202);
        problem(api.call(io.vertx.core.http.HttpMethod.POST, "/api/v1/credentials/revoke", null, bodyOf(1100)), 413);
        problem(
                api.call(
                        io.vertx.core.http.HttpMethod.POST,
                        "/api/v1/credentials/revoke",
                        null,
                        bodyOf(1001).replace(", ", ",")),
                400);
        problem(revoke(new JsonArray()), 400);
        problem(api.post("/api/v1/credentials/revoke", null, new JsonObject().put("credential", "x")), 400);

        // the address's budget (8 a minute here): 3 were accepted above; then 429 with Retry-After
        int accepted = 3;
        Reply last = null;
        for (int i = accepted; i < 9; i++) {
            last = revoke(new JsonArray().add("nothing-" + i));
        }
        assertThat(problem(last, 429).getString("detail")).contains("Too many revocation requests");
        assertThat(last.header("Retry-After")).isEqualTo("60");
    }
}
