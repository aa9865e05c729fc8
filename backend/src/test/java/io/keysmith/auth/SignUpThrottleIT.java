package io.keysmith.auth;

import static io.keysmith.support.Api.PASSWORD;
import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 13 item 2: sign-up is throttled, a success gives no sign-in attempt back, one address cannot hog hashing. */
@ExtendWith(VertxExtension.class)
@DisplayName("Sign-up and sign-in throttles: per address and per e-mail, and a success does not refill them")
class SignUpThrottleIT {
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                PostgresFixture.get().newDatabase("sign_up_throttle"),
                new JsonObject()
                        .put("trusted.proxies", "127.0.0.1/32")
                        .put("signup.throttle.address", 4)
                        .put("signup.throttle.email", 3)
                        .put("signin.throttle.attempts", 4));
        api = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<Buffer> signUpFrom(String address, String org, String email) {
        return api.signUpResponse(org, email, PASSWORD, Map.of("X-Forwarded-For", address));
    }

    private static HttpResponse<Buffer> signInFrom(String address, String email, String password) {
        return api.signInFrom(address, email, password);
    }

    @Test
    @DisplayName("one address gets its configured number of sign-ups per window; the next is 429 with Retry-After")
    void signUpsFromOneAddress_areThrottled() {
        String address = "192.0.2.10";
        for (int i = 0; i < 4; i++) {
            assertThat(signUpFrom(address, "Address Org " + i, uniqueEmail("addr"))
                            .statusCode())
                    .isEqualTo(201);
        }
        HttpResponse<Buffer> fifth = signUpFrom(address, "Address Org 4", uniqueEmail("addr"));
        JsonObject p = problem(fifth, 429);
        assertThat(p.getString("type")).endsWith("/too-many-requests");
        assertThat(Integer.parseInt(fifth.getHeader("Retry-After"))).isPositive();
        // another address is not affected
        assertThat(signUpFrom("192.0.2.11", "Other Address Org", uniqueEmail("addr"))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    @DisplayName("one e-mail gets its configured number of sign-ups per window whatever the addresses (e-mail case"
            + " ignored)")
    void signUpsWithOneEmail_areThrottled() {
        String email = uniqueEmail("many-orgs");
        for (int i = 0; i < 3; i++) {
            assertThat(signUpFrom("192.0.2." + (20 + i), "Email Org " + i, i == 1 ? email.toUpperCase() : email)
                            .statusCode())
                    .isEqualTo(201);
        }
        problem(signUpFrom("192.0.2.30", "Email Org 3", email), 429);
    }

    @Test
    @DisplayName("parallel sign-ups from one address cannot pass the limit")
    void parallelSignUps_cannotPassTheLimit() {
        List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(Api.send(
                    api.request(HttpMethod.POST, "/api/v1/signup", null).putHeader("X-Forwarded-For", "192.0.2.40"),
                    new JsonObject()
                            .put("organizationName", "Parallel Org " + i)
                            .put("firstName", "Ada")
                            .put("lastName", "Owner")
                            .put("email", uniqueEmail("parallel"))
                            .put("password", PASSWORD)));
        }
        Future.join(all).await();
        long created = all.stream().filter(f -> f.result().statusCode() == 201).count();
        assertThat(created).isLessThanOrEqualTo(4);
        assertThat(all.stream()
                        .allMatch(f -> List.of(201, 429).contains(f.result().statusCode())))
                .isTrue();
    }

    @Test
    @DisplayName("a sign-up with an e-mail that already has an account answers exactly like one with a new e-mail")
    void signUpWithAKnownEmail_answersLikeANewOne() {
        String known = uniqueEmail("known");
        assertThat(signUpFrom("192.0.2.50", "Known Org", known).statusCode()).isEqualTo(201);
        HttpResponse<Buffer> again = signUpFrom("192.0.2.51", "Squatter Org", known);
        HttpResponse<Buffer> fresh = signUpFrom("192.0.2.52", "Fresh Org", uniqueEmail("fresh"));
        assertThat(again.statusCode()).isEqualTo(fresh.statusCode());
        assertThat(again.bodyAsJsonObject().fieldNames())
                .containsExactlyInAnyOrderElementsOf(fresh.bodyAsJsonObject().fieldNames());
        assertThat(again.headers().names())
                .containsExactlyInAnyOrderElementsOf(fresh.headers().names());
    }

    @Test
    @DisplayName("successful sign-ins do not give an address its attempts back: failures interleaved with successes"
            + " still reach the per-address limit")
    void successesDoNotRefillThePerAddressCounter() {
        String own = uniqueEmail("own");
        assertThat(signUpFrom("192.0.2.60", "Own Org", own).statusCode()).isEqualTo(201);
        String address = "192.0.2.61";
        // limit 4 per address: fail, succeed, fail, succeed, then the 5th attempt is over it
        problem(signInFrom(address, uniqueEmail("guess"), "guess 1"), 401);
        assertThat(signInFrom(address, own, PASSWORD).statusCode()).isEqualTo(200);
        problem(signInFrom(address, uniqueEmail("guess"), "guess 2"), 401);
        assertThat(signInFrom(address, own, PASSWORD).statusCode()).isEqualTo(200);
        problem(signInFrom(address, uniqueEmail("guess"), "guess 3"), 429);
    }
}
