package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.ForwardAuthClient;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 2 (ADR 0015): a key's usage quota refuses with its own code once spent (429 usage-exceeded for
 * keyed requests and forward-auth, USAGE_EXCEEDED from verify), reports what is left, refills when its period turns,
 * is spent by a verification's cost (0 checks without spending), is re-set or removed by PATCH at once, and an
 * administrator's quota is loosened only by an administrator; bad input is 400 and changes nothing.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Usage quotas refuse with USAGE_EXCEEDED when spent, refill, and follow every change")
class QuotaIT {
    private static KeysApi api;
    private static Session owner;
    private static String gatewayKey;
    private static ForwardAuthClient gateway;
    private static DbProbe db;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "quota", KeysApi.manyFailures());
        owner = api.signUp("Quota", uniqueEmail("quota-owner"));
        gatewayKey = api.inheritKey(owner, "gateway", "VERIFICATION").getString("secret");
        gateway = new ForwardAuthClient(api, gatewayKey);
        db = new DbProbe(api.server().database.getDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
    }

    private static Reply verify(JsonObject body) {
        return api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/verify",
                null,
                body,
                Map.of("Authorization", "Bearer " + gatewayKey));
    }

    private static JsonObject verify(String key, long cost) {
        Reply r = verify(new JsonObject().put("key", key).put("cost", cost));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonObject quota(long limit, String period) {
        return new JsonObject().put("limit", limit).put("period", period);
    }

    private static void execute(String sql, UUID key) throws Exception {
        try (Connection c = db.owner();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, key);
            s.executeUpdate();
        }
    }

    @Test
    @DisplayName("a daily quota of 3: three requests, then 429 usage-exceeded until the day turns, then full again")
    void dailyQuota_refusesWhenSpent_andRefills() throws Exception {
        JsonObject created =
                api.createKey(owner, keyBody("daily", "PEOPLE", "INHERIT").put("quota", quota(3, "DAY")));
        String secret = created.getString("secret");
        String id = created.getJsonObject("key").getString("id");
        JsonObject shown = api.getKey(owner, id).json().getJsonObject("quota");
        Instant tomorrow = Instant.now()
                .atOffset(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.DAYS)
                .plusDays(1)
                .toInstant();
        assertThat(shown.getLong("limit")).isEqualTo(3);
        assertThat(shown.getString("period")).isEqualTo("DAY");
        assertThat(shown.getLong("remaining")).isEqualTo(3);
        assertThat(Instant.parse(shown.getString("resetsAt"))).isEqualTo(tomorrow);

        for (int i = 2; i >= 0; i--) {
            Reply ok = api.withKey("/api/v1/people", secret);
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(ok.header("Keysmith-Quota-Limit")).isEqualTo("3");
            assertThat(ok.header("Keysmith-Quota-Remaining")).isEqualTo(Integer.toString(i));
        }
        Reply spent = api.withKey("/api/v1/people", secret);
        JsonObject p = problem(spent, 429);
        assertThat(p.getString("type")).endsWith("usage-exceeded");
        assertThat(p.getString("detail")).contains("3 requests per day");
        long retry = Long.parseLong(spent.header("Retry-After"));
        assertThat(retry).isBetween(1L, 86_400L);
        assertThat(spent.header("Keysmith-Quota-Remaining")).isEqualTo("0");

        JsonObject verdict = verify(secret, 1);
        assertThat(verdict.getBoolean("valid")).isFalse();
        assertThat(verdict.getString("code")).isEqualTo("USAGE_EXCEEDED");
        assertThat(verdict.getJsonObject("quota").getLong("remaining")).isZero();
        assertThat(gateway.ask("GET", "/api/v1/people", secret).status())
                .as("forward-auth decides as the API does")
                .isEqualTo(429);
        assertThat(api.getKey(owner, id).json().getJsonObject("quota").getLong("remaining"))
                .isZero();

        // the day turns (the period's start moved back a day): the next lease refills it, within a second
        execute(
                "UPDATE key_quotas SET period_start = period_start - interval '1 day' WHERE key_id = ?",
                UUID.fromString(id));
        assertThat(api.getKey(owner, id).json().getJsonObject("quota").getLong("remaining"))
                .isEqualTo(3);
        Thread.sleep(1100);
        Reply refilled = api.withKey("/api/v1/people", secret);
        assertThat(refilled.status()).as(refilled.toString()).isEqualTo(200);
        assertThat(refilled.header("Keysmith-Quota-Remaining")).isEqualTo("2");
    }

    @Test
    @DisplayName("verify spends its cost (0 checks without spending); a spent TOTAL quota has no Retry-After")
    void verifyCost_spendsTheQuota() {
        JsonObject created =
                api.createKey(owner, keyBody("total", "PEOPLE", "INHERIT").put("quota", quota(10, "TOTAL")));
        String secret = created.getString("secret");
        assertThat(created.getJsonObject("key").getJsonObject("quota").containsKey("resetsAt"))
                .isFalse();

        JsonObject checked = verify(secret, 0);
        assertThat(checked.getString("code")).isEqualTo("VALID");
        assertThat(checked.getJsonObject("quota").getLong("remaining")).isEqualTo(10);
        assertThat(checked.getJsonObject("quota").containsKey("resetsAt")).isFalse();
        JsonObject four = verify(secret, 4);
        assertThat(four.getString("code")).isEqualTo("VALID");
        assertThat(four.getJsonObject("quota").getLong("remaining")).isEqualTo(6);
        JsonObject seven = verify(secret, 7);
        assertThat(seven.getString("code"))
                .as("more than is left: refused, nothing spent")
                .isEqualTo("USAGE_EXCEEDED");
        assertThat(seven.getJsonObject("quota").getLong("remaining")).isEqualTo(6);
        JsonObject six = verify(secret, 6);
        assertThat(six.getString("code")).isEqualTo("VALID");
        assertThat(six.getJsonObject("quota").getLong("remaining")).isZero();
        assertThat(verify(secret, 0).getString("code")).isEqualTo("USAGE_EXCEEDED");
        assertThat(verify(new JsonObject().put("key", secret)).json().getString("code"))
                .as("cost 1 by default")
                .isEqualTo("USAGE_EXCEEDED");

        Reply spent = api.withKey("/api/v1/people", secret);
        JsonObject p = problem(spent, 429);
        assertThat(p.getString("type")).endsWith("usage-exceeded");
        assertThat(p.getString("detail")).contains("does not refill");
        assertThat(spent.header("Retry-After"))
                .as("a TOTAL quota never refills")
                .isNull();
    }

    @Test
    @DisplayName("PATCH re-sets a quota full at once, null removes it; a key without one reports none")
    void patch_resetsAndRemoves() {
        JsonObject created =
                api.createKey(owner, keyBody("reset", "PEOPLE", "INHERIT").put("quota", quota(1, "TOTAL")));
        String secret = created.getString("secret");
        String id = created.getJsonObject("key").getString("id");
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(429);

        Reply reset = api.patchKey(owner, id, new JsonObject().put("quota", quota(5, "WEEK")));
        assertThat(reset.status()).as(reset.toString()).isEqualTo(200);
        assertThat(reset.json().getJsonObject("quota").getLong("remaining")).isEqualTo(5);
        Reply again = api.withKey("/api/v1/people", secret);
        assertThat(again.status()).as("the cached verdict and lease followed").isEqualTo(200);
        assertThat(again.header("Keysmith-Quota-Remaining")).isEqualTo("4");

        Reply renamed = api.patchKey(owner, id, new JsonObject().put("name", "renamed"));
        assertThat(renamed.json().getJsonObject("quota").getLong("limit"))
                .as("absent keeps it")
                .isEqualTo(5);

        Reply removed = api.patchKey(owner, id, new JsonObject().putNull("quota"));
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.json().containsKey("quota")).isFalse();
        Reply free = api.withKey("/api/v1/people", secret);
        assertThat(free.status()).isEqualTo(200);
        assertThat(free.header("Keysmith-Quota-Remaining")).isNull();
        assertThat(verify(secret, 1).containsKey("quota")).isFalse();

        // set again after its removal: a new setting (a new epoch), counted from full, never an old lease's state
        Reply again2 = api.patchKey(owner, id, new JsonObject().put("quota", quota(1, "TOTAL")));
        assertThat(again2.status()).as(again2.toString()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", secret).status()).isEqualTo(429);
    }

    @Test
    @DisplayName("bad quotas and costs are 400 problems and change nothing")
    void badInput_isRefused() {
        String id = api.createKey(owner, keyBody("bad", "PEOPLE", "INHERIT").put("quota", quota(7, "DAY")))
                .getJsonObject("key")
                .getString("id");
        for (JsonObject bad : new JsonObject[] {
            quota(0, "DAY"),
            quota(1_000_000_001L, "DAY"),
            quota(5, "YEAR"),
            quota(5, "DAY").put("refill", true),
            new JsonObject().put("limit", 5),
            new JsonObject().put("limit", "5").put("period", "DAY")
        }) {
            Reply r = api.patchKey(owner, id, new JsonObject().put("quota", bad));
            problem(r, 400);
        }
        problem(api.createKeyReply(owner, keyBody("bad2", "PEOPLE", "INHERIT").put("quota", quota(-1, "DAY"))), 400);
        assertThat(api.getKey(owner, id).json().getJsonObject("quota"))
                .isEqualTo(new JsonObject()
                        .put("limit", 7L)
                        .put("period", "DAY")
                        .put("remaining", 7L)
                        .put(
                                "resetsAt",
                                api.getKey(owner, id)
                                        .json()
                                        .getJsonObject("quota")
                                        .getString("resetsAt")));
        String secret = api.inheritKey(owner, "plain", "PEOPLE").getString("secret");
        for (Object cost : new Object[] {-1, 1001, "1", 1.5, true}) {
            Reply r = verify(new JsonObject().put("key", secret).put("cost", cost));
            assertThat(problem(r, 400).getString("detail")).contains("cost");
        }
    }

    @Test
    @DisplayName(
            "an administrator's quota: the owner may lower it, not raise, re-period or remove it; another organization cannot touch it")
    void adminQuota_isTheAdministrators() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("quota-employee"), null);
        JsonObject created = api.createKey(
                owner,
                keyBody("governed", "PEOPLE", "INHERIT")
                        .put("ownerUserId", employee.userId())
                        .put("quota", quota(100, "DAY")));
        String id = created.getJsonObject("key").getString("id");
        assertThat(created.getJsonObject("key")
                        .getJsonArray("adminRestrictions")
                        .getList())
                .contains("QUOTA");

        problem(api.patchKey(employee, id, new JsonObject().put("quota", quota(200, "DAY"))), 403);
        problem(api.patchKey(employee, id, new JsonObject().put("quota", quota(100, "DAY"))), 403);
        problem(api.patchKey(employee, id, new JsonObject().put("quota", quota(50, "TOTAL"))), 403);
        problem(api.patchKey(employee, id, new JsonObject().putNull("quota")), 403);
        assertThat(api.getKey(owner, id).json().getJsonObject("quota").getLong("limit"))
                .isEqualTo(100);

        Reply lowered = api.patchKey(employee, id, new JsonObject().put("quota", quota(40, "DAY")));
        assertThat(lowered.status()).as(lowered.toString()).isEqualTo(200);
        assertThat(lowered.json().getJsonArray("adminRestrictions").getList())
                .as("still the admin's")
                .contains("QUOTA");

        Session stranger = api.signUp("Other quota", uniqueEmail("quota-stranger"));
        problem(api.patchKey(stranger, id, new JsonObject().putNull("quota")), 404);
        assertThat(api.getKey(owner, id).json().getJsonObject("quota").getLong("limit"))
                .isEqualTo(40);

        Reply removed = api.patchKey(owner, id, new JsonObject().putNull("quota"));
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.json().getJsonArray("adminRestrictions").getList()).doesNotContain("QUOTA");
    }
}
