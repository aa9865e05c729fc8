package io.keysmith.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.PostgresFixture;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.SmtpSink;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Invitation and reset links are e-mailed when SMTP is configured, and still shown to the admin")
class InvitationMailIT {

    /** With SMTP, sign-up mails a confirmation link first (ADR 0010): the owner's /me once it is followed. */
    private static JsonObject signUp(WebClient client, int port, String[] cookie, SmtpSink smtp) {
        HttpResponse<Buffer> r = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/v1/signup")
                .sendJsonObject(new JsonObject()
                        .put("organizationName", "Mail Co")
                        .put("firstName", "Mo")
                        .put("lastName", "Owner")
                        .put("email", "mo@mail.test")
                        .put("password", "mail owner password"))
                .await();
        assertThat(r.statusCode()).isEqualTo(202);
        String mail = smtp.messages.remove(0).replace("=\n", "");
        Matcher token = Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(mail);
        assertThat(token.find()).as(mail).isTrue();
        HttpResponse<Buffer> confirmed = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/v1/signup/confirm")
                .sendJsonObject(new JsonObject().put("token", token.group(1)))
                .await();
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(201);
        cookie[0] = confirmed.cookies().get(0).split(";")[0];
        return confirmed.bodyAsJsonObject();
    }

    /** Without a working mail server sign-up cannot be proven: the operator creates the organization instead. */
    private static JsonObject createByOperator(WebClient client, int port, String[] cookie) {
        HttpResponse<Buffer> r = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/v1/operator/organizations")
                .putHeader("Authorization", "Bearer " + OPERATOR_TOKEN)
                .sendJsonObject(new JsonObject()
                        .put("organizationName", "Mail Down Co")
                        .put(
                                "owner",
                                new JsonObject()
                                        .put("email", "down@mail.test")
                                        .put("firstName", "Do")
                                        .put("lastName", "Owner")))
                .await();
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        String url = r.bodyAsJsonObject().getJsonObject("invitation").getString("url");
        HttpResponse<Buffer> accepted = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/v1/invitations/accept")
                .sendJsonObject(new JsonObject()
                        .put("token", url.substring(url.indexOf("#token=") + 7))
                        .put("password", "mail owner password"))
                .await();
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(200);
        cookie[0] = accepted.cookies().get(0).split(";")[0];
        return accepted.bodyAsJsonObject();
    }

    private static final String OPERATOR_TOKEN = "operator-token-for-the-mail-test-0123456789";

    private static HttpResponse<Buffer> post(
            WebClient client, int port, String path, String[] cookie, String csrf, JsonObject body) {
        var req = client.request(HttpMethod.POST, port, "127.0.0.1", path)
                .putHeader("Cookie", cookie[0])
                .putHeader("X-CSRF-Token", csrf);
        return (body == null ? req.send() : req.sendJsonObject(body)).await();
    }

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
            WebClient client = WebClient.create(vertx);
            String[] cookie = new String[1];
            String csrf = signUp(client, server.port(), cookie, smtp).getString("csrfToken");
            HttpResponse<Buffer> created = post(
                    client,
                    server.port(),
                    "/api/v1/users",
                    cookie,
                    csrf,
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
            HttpResponse<Buffer> reset =
                    post(client, server.port(), "/api/v1/users/" + userId + "/password-reset", cookie, csrf, null);
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
            WebClient client = WebClient.create(vertx);
            String[] cookie = new String[1];
            String csrf = createByOperator(client, server.port(), cookie).getString("csrfToken");
            long t0 = System.nanoTime();
            HttpResponse<Buffer> created = post(
                    client,
                    server.port(),
                    "/api/v1/users",
                    cookie,
                    csrf,
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
