package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failed verifications are throttled per partner address for verify (its ipAddress) as for forward-auth (the
 * forwarded address), so rotating through keys is not an oracle; another address is not affected.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Verify and forward-auth throttle failed verifications per partner address")
class VerificationThrottleIT {
    private static TestServer server;
    private static KeysApi api;
    private static String gateway;
    private static String partner;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "verification_throttle", new JsonObject().put("key.failures.per.minute", 5));
        server = api.server();
        Session owner = api.signUp("Throttle Org", uniqueEmail("vt-owner"));
        gateway = api.createKey(owner, keyBody("gateway", "VERIFICATION", "INHERIT"))
                .getString("secret");
        partner = api.createKey(owner, keyBody("partner", "PEOPLE", "INHERIT")).getString("secret");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Reply verify(String key, String ip) {
        return api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/verify",
                null,
                new JsonObject().put("key", key).put("ipAddress", ip),
                Map.of("Authorization", "Bearer " + gateway));
    }

    private static Reply forward(String key, String ip) {
        return api.call(
                HttpMethod.GET,
                "/api/v1/forward-auth",
                null,
                null,
                Map.of(
                        "X-Keysmith-Gateway-Key",
                        gateway,
                        "X-Forwarded-Uri",
                        "/api/v1/people",
                        "X-Real-IP",
                        ip,
                        "Authorization",
                        "Bearer " + key));
    }

    @Test
    @DisplayName("verify: the sixth failure from one ipAddress is 429 too-many-requests; another ipAddress still"
            + " gets its answer")
    void verifyThrottlesPerIpAddress() {
        for (int i = 0; i < 5; i++) {
            Reply r = verify("ksk_unknown_" + i, "198.51.100.1");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().getString("code")).isEqualTo("NOT_FOUND");
        }
        Reply throttled = verify(partner, "198.51.100.1");
        assertThat(throttled.status()).as(throttled.toString()).isEqualTo(429);
        assertThat(KeysApi.problemType(throttled)).isEqualTo("too-many-requests");
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(verify(partner, "198.51.100.2").json().getString("code")).isEqualTo("VALID");
    }

    @Test
    @DisplayName("forward-auth: the sixth failure from one partner address is 429; another partner address passes")
    void forwardAuthThrottlesPerPartnerAddress() {
        for (int i = 0; i < 5; i++) {
            assertThat(forward("ksk_unknown_" + i, "203.0.113.1").status()).isEqualTo(401);
        }
        Reply throttled = forward(partner, "203.0.113.1");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("X-Keysmith-Status")).isEqualTo("429");
        assertThat(forward(partner, "203.0.113.2").status()).isEqualTo(200);
    }
}
