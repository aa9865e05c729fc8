package io.keysmith.auth;

import static io.keysmith.support.Api.PASSWORD;
import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.SmtpSink;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 item 6: anyone can sign up an organization with someone else's e-mail; that organization must not see
 * the person's failed sign-ins, and with SMTP configured no sign-up becomes a membership without the e-mail's proof.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Sign-in proof: failed sign-ins stay out of organizations the person did not choose; sign-up needs the"
        + " e-mail's proof when SMTP is configured")
class SignInProofIT {
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("sign_in_proof");
        api = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static JsonArray failures(Session s) {
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events?action=session.sign-in-failed", s);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("items");
    }

    @Test
    @DisplayName("a squatter's organization with my e-mail does not see my mistyped password; the organization I"
            + " choose does")
    void failedSignIns_areNotRecordedInAnOrganizationThePersonDidNotChoose() {
        String email = uniqueEmail("victim");
        Session mine = api.signUp("Victim's Own Org", email, PASSWORD);
        Session squatter = api.signUp("Squatter Org", email, "the squatter's own password");

        problem(api.signIn(email, "my mistyped password", null), 401);
        assertThat(failures(squatter))
                .as("the squatter's audit log after my failed sign-in")
                .isEmpty();

        problem(api.signIn(email, "my mistyped password", mine.organizationId()), 401);
        assertThat(failures(squatter)).as("still nothing in the squatter's log").isEmpty();
        assertThat(failures(mine)).as("the organization I chose records it").hasSize(1);
        assertThat(failures(mine).encode()).doesNotContain("mistyped");
    }

    @Test
    @DisplayName("with SMTP, sign-up answers 202 and mails a link; only the link creates the organization and signs"
            + " in, once; a known e-mail gets the same answer")
    void withSmtp_signUpNeedsTheEmailsProof(Vertx vertx) throws Exception {
        try (SmtpSink smtp = SmtpSink.start(vertx);
                TestServer mailing = TestServer.start(
                        PostgresFixture.get().newDatabase("sign_in_proof_smtp"),
                        new JsonObject()
                                .put("smtp.host", "127.0.0.1")
                                .put("smtp.port", smtp.port())
                                .put("smtp.starttls", "disabled")
                                .put("smtp.from", "keysmith@mail.test"))) {
            Api m = new Api(vertx, mailing.port());
            String email = uniqueEmail("proof");
            HttpResponse<Buffer> pending = m.signUpResponse("Proof Org", email, PASSWORD, Map.of());
            assertThat(pending.statusCode()).as(pending.bodyAsString()).isEqualTo(202);
            assertThat(Api.setCookieHeader(pending))
                    .as("no session before the proof")
                    .isNull();
            assertThat(pending.bodyAsJsonObject().getString("status")).isEqualTo("CONFIRMATION_SENT");
            problem(m.signIn(email, PASSWORD, null), 401); // no membership yet

            String mail = smtp.messages.stream()
                    .filter(x -> x.contains(email))
                    .findFirst()
                    .orElseThrow();
            Matcher link =
                    Pattern.compile("(https?://\\S+#token=[A-Za-z0-9_-]+)").matcher(mail);
            assertThat(link.find()).as("a link in %s", mail).isTrue();
            String token = Api.token(link.group(1));

            HttpResponse<Buffer> confirmed =
                    m.post("/api/v1/signup/confirm", null, new JsonObject().put("token", token));
            assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(201);
            Session owner = Api.session(confirmed, confirmed.bodyAsJsonObject());
            assertThat(owner.me().getJsonObject("organization").getString("name"))
                    .isEqualTo("Proof Org");
            assertThat(owner.me().getJsonObject("user").getString("email")).isEqualTo(email);
            problem(m.post("/api/v1/signup/confirm", null, new JsonObject().put("token", token)), 404);
            m.signInOk(email, PASSWORD, null);

            // someone else signs up with the now known e-mail: the same answer, and nothing until the link is used
            HttpResponse<Buffer> squat = m.signUpResponse("Squat Org", email, "the squatter's password", Map.of());
            assertThat(squat.statusCode()).isEqualTo(202);
            assertThat(squat.bodyAsJsonObject()).isEqualTo(pending.bodyAsJsonObject());
            problem(m.signIn(email, "the squatter's password", null), 401);
            problem(m.post("/api/v1/signup/confirm", null, new JsonObject().put("token", "x".repeat(43))), 404);
        }
    }
}
