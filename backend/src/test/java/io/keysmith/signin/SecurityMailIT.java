package io.keysmith.signin;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.Poll;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.SmtpSink;
import io.keysmith.support.SoftAuthenticator;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 21: a passkey that may have been copied and an admin's reset of someone's second factors are e-mailed to the
 * user concerned and the organization's admins (keys:manage-all), never to colleagues or another organization.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Security mail: clone warnings and factor resets reach the user and the admins, nobody else")
class SecurityMailIT {
    private static final String ORIGIN = "http://keysmith.test"; // TestServer's KEYSMITH_PUBLIC_URL
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestServer server;
    private static Api api;
    private static SmtpSink smtp;

    @BeforeAll
    static void start(Vertx vertx) {
        smtp = SmtpSink.start(vertx);
        server = TestServer.start(
                PostgresFixture.get().newDatabase("security_mail"),
                new JsonObject()
                        .put("signin.throttle.address", 100000)
                        .put("smtp.host", "127.0.0.1")
                        .put("smtp.port", smtp.port())
                        .put("smtp.starttls", "disabled")
                        .put("smtp.from", "keysmith@mail.test"));
        api = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        smtp.close();
    }

    /** With SMTP configured, sign-up is proven by the mailed link. */
    private static Session signUp(String organization, String email) {
        HttpResponse<Buffer> r = api.signUpResponse(organization, email, Api.PASSWORD, Map.of());
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
        Poll.until(() -> smtp.messages.stream().anyMatch(m -> m.contains(email)), WAIT, "the sign-up mail");
        String mail = smtp.messages.stream()
                .filter(m -> m.contains(email))
                .findFirst()
                .orElseThrow()
                .replace("=\n", "");
        Matcher token = Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(mail);
        assertThat(token.find()).as(mail).isTrue();
        HttpResponse<Buffer> confirmed =
                api.post("/api/v1/signup/confirm", null, new JsonObject().put("token", token.group(1)));
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(201);
        return Api.session(confirmed, confirmed.bodyAsJsonObject());
    }

    private static SoftAuthenticator enrol(Session session, String name) {
        SoftAuthenticator a = new SoftAuthenticator(ORIGIN);
        HttpResponse<Buffer> options = api.post("/api/v1/me/passkeys/options", session, null);
        assertThat(options.statusCode()).as(options.bodyAsString()).isEqualTo(200);
        HttpResponse<Buffer> added = api.post(
                "/api/v1/me/passkeys",
                session,
                new JsonObject().put("name", name).put("credential", a.create(options.bodyAsJsonObject())));
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
        return a;
    }

    private static JsonObject passwordlessOptions() {
        HttpResponse<Buffer> r = api.post("/api/v1/session/passkey/options", null, new JsonObject());
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> passwordless(JsonObject credential) {
        return api.post("/api/v1/session/passkey", null, new JsonObject().put("credential", credential));
    }

    /** The mails sent since {@code before} whose text contains {@code marker}, once the mailer ran. */
    private static List<SmtpSink.Mail> mailsAbout(int before, String marker) {
        server.app.sendNotificationMails().await();
        Poll.until(
                () -> smtp.mails.stream().skip(before).anyMatch(m -> m.text().contains(marker)),
                WAIT,
                "a mail about " + marker);
        return smtp.mails.stream()
                .skip(before)
                .filter(m -> unfolded(m).contains(marker))
                .toList();
    }

    /** The text without quoted-printable soft line breaks. */
    private static String unfolded(SmtpSink.Mail m) {
        return m.text().replace("=\n", "");
    }

    private static List<String> recipients(List<SmtpSink.Mail> mails) {
        return mails.stream()
                .flatMap(m -> m.recipients().stream())
                .filter(r -> !r.equals("keysmith@mail.test"))
                .toList();
    }

    @Test
    @DisplayName("a counter that goes backwards mails the passkey's owner and the admins, named, without counters")
    void cloneWarning_isMailedToTheOwnerAndTheAdmins() {
        String adminEmail = uniqueEmail("clone-mail-admin");
        Session admin = signUp("Clone Mail Org", adminEmail);
        String ownerEmail = uniqueEmail("clone-mail-owner");
        Session owner = api.createSignedInUser(admin, ownerEmail, null);
        String colleagueEmail = uniqueEmail("clone-mail-colleague");
        Session colleague = api.createSignedInUser(admin, colleagueEmail, null);
        String strangerEmail = uniqueEmail("clone-mail-stranger");
        signUp("Clone Mail Other Org", strangerEmail);

        SoftAuthenticator a = enrol(owner, "Grace's phone");
        a.counter = 10;
        assertThat(passwordless(a.get(passwordlessOptions())).statusCode()).isEqualTo(200);
        int before = smtp.mails.size();
        String challenge = passwordlessOptions().getJsonObject("publicKey").getString("challenge");
        assertThat(problem(passwordless(a.assertion(challenge, 5)), 401).getString("detail"))
                .contains("copied");

        List<SmtpSink.Mail> mails = mailsAbout(before, "Grace's phone");
        assertThat(recipients(mails))
                .containsExactlyInAnyOrder(ownerEmail, adminEmail)
                .doesNotContain(colleagueEmail, strangerEmail);
        String text = unfolded(mails.get(0));
        assertThat(text).contains("Subject: A passkey may have been copied").contains("add it again");
        assertThat(text).doesNotContain("storedCounter").doesNotContain("presentedCounter");
        // and it is in the owner's and the admin's notifications, not the colleague's
        assertThat(notified(owner)).contains("user.passkey-clone-warning");
        assertThat(notified(admin)).contains("user.passkey-clone-warning");
        assertThat(notified(colleague)).doesNotContain("user.passkey-clone-warning");
    }

    private static List<Object> notified(Session s) {
        HttpResponse<Buffer> r = api.get("/api/v1/notifications", s);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("items").stream()
                .map(o -> ((JsonObject) o).getString("action"))
                .map(Object.class::cast)
                .toList();
    }

    @Test
    @DisplayName("an admin's reset of a user's second factors mails that user (and the admins), nobody else")
    void factorReset_isMailedToTheUser() {
        String adminEmail = uniqueEmail("reset-mail-admin");
        Session admin = signUp("Reset Mail Org", adminEmail);
        String userEmail = uniqueEmail("reset-mail-user");
        Session user = api.createSignedInUser(admin, userEmail, null);
        String colleagueEmail = uniqueEmail("reset-mail-colleague");
        Session colleague = api.createSignedInUser(admin, colleagueEmail, null);
        enrol(user, "Lost phone");

        int before = smtp.mails.size();
        assertThat(api.delete("/api/v1/users/" + user.userId() + "/second-factors", admin)
                        .statusCode())
                .isEqualTo(204);
        List<SmtpSink.Mail> mails = mailsAbout(before, "second factors were reset");
        assertThat(recipients(mails)).contains(userEmail).doesNotContain(colleagueEmail);
        assertThat(unfolded(mails.get(0))).contains("Subject: Your second factors were reset");
        assertThat(notified(user)).contains("user.second-factors-reset");
        assertThat(notified(colleague)).doesNotContain("user.second-factors-reset");
    }
}
