package io.keysmith.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.SmtpSink;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Invitation and reset links are e-mailed when SMTP is configured, and still shown to the admin")
class InvitationMailIT {

    /** With SMTP, sign-up mails a confirmation link first (ADR 0010): the owner's session once it is followed. */
    private static Session signUp(Api api, SmtpSink smtp) {
        HttpResponse<Buffer> r = api.signUpResponse("Mail Co", "mo@mail.test", "mail owner password", Map.of());
        assertThat(r.statusCode()).isEqualTo(202);
        String mail = smtp.messages.remove(0).replace("=\n", "");
        Matcher token = Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(mail);
        assertThat(token.find()).as(mail).isTrue();
        HttpResponse<Buffer> confirmed =
                api.post("/api/v1/signup/confirm", null, new JsonObject().put("token", token.group(1)));
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(201);
        return Api.session(confirmed, confirmed.bodyAsJsonObject());
    }

    /** Without a working mail server sign-up cannot be proven: the operator creates the organization instead. */
    private static Session createByOperator(Api api) {
        HttpResponse<Buffer> r = api.call(
                HttpMethod.POST,
                "/api/v1/operator/organizations",
                null,
                new JsonObject()
                        .put("organizationName", "Mail Down Co")
                        .put(
                                "owner",
                                new JsonObject()
                                        .put("email", "down@mail.test")
                                        .put("firstName", "Do")
                                        .put("lastName", "Owner")),
                Map.of("Authorization", "Bearer " + OPERATOR_TOKEN));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        String url = r.bodyAsJsonObject().getJsonObject("invitation").getString("url");
        HttpResponse<Buffer> accepted = api.accept(url.substring(url.indexOf("#token=") + 7), "mail owner password");
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(200);
        return Api.session(accepted, accepted.bodyAsJsonObject());
    }

    private static final String OPERATOR_TOKEN = "operator-token-for-the-mail-test-0123456789";

    @Test
    void invitationsAndResets_areMailed(Vertx vertx) throws Exception {
        try (SmtpSink smtp = SmtpSink.start(vertx);
                TestServer server = TestServer.start(
                        PostgresFixture.get().newDatabase("mail"),
                        new JsonObject()
                                .put("smtp.host", "127.0.0.1")
                                .put("smtp.port", smtp.port())
                                .put("smtp.starttls", "disabled")
                                .put("smtp.from", "keysmith@mail.test"))) {
            Api api = new Api(vertx, server.port());
            Session owner = signUp(api, smtp);
            HttpResponse<Buffer> created = api.post(
                    "/api/v1/users",
                    owner,
                    new JsonObject()
                            .put("email", "new.person@mail.test")
                            .put("firstName", "Nia")
                            .put("lastName", "New")
                            .put("kind", "EMPLOYEE"));
            assertThat(created.statusCode()).isEqualTo(201);
            JsonObject invitation = created.bodyAsJsonObject().getJsonObject("invitation");
            assertThat(invitation.getBoolean("emailed")).isTrue();
            assertThat(smtp.messages).hasSize(1);
            String mail = smtp.messages.get(0);
            assertThat(mail)
                    .contains("new.person@mail.test")
                    .contains("Mail Co")
                    .contains("Hello Nia");
            assertThat(mail.replace("=\n", ""))
                    .contains(invitation
                            .getString("url")
                            .substring(invitation.getString("url").indexOf("#token=") + 7));

            String userId = created.bodyAsJsonObject().getJsonObject("user").getString("id");
            HttpResponse<Buffer> reset = api.post("/api/v1/users/" + userId + "/password-reset", owner, null);
            assertThat(reset.statusCode()).isEqualTo(201);
            assertThat(reset.bodyAsJsonObject().getBoolean("emailed")).isTrue();
            assertThat(smtp.messages).hasSize(2);
            assertThat(smtp.messages.get(1)).contains("Reset your Keysmith password");
        }
    }

    @Test
    void anUnreachableMailServer_doesNotBlockOnboarding(Vertx vertx) throws Exception {
        int closedPort = ServerProcess.freePort();
        try (TestServer server = TestServer.start(
                PostgresFixture.get().newDatabase("mail_down"),
                new JsonObject()
                        .put("smtp.host", "127.0.0.1")
                        .put("smtp.port", closedPort)
                        .put("smtp.starttls", "disabled")
                        .put("operator.token", OPERATOR_TOKEN))) {
            Api api = new Api(vertx, server.port());
            Session owner = createByOperator(api);
            long t0 = System.nanoTime();
            HttpResponse<Buffer> created = api.post(
                    "/api/v1/users",
                    owner,
                    new JsonObject()
                            .put("email", "x@mail.test")
                            .put("firstName", "X")
                            .put("lastName", "Y")
                            .put("kind", "NON_EMPLOYEE"));
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.bodyAsJsonObject().getJsonObject("invitation").getBoolean("emailed"))
                    .isFalse();
            assertThat(created.bodyAsJsonObject().getJsonObject("invitation").getString("url"))
                    .contains("#token=");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(15);
        }
    }
}
