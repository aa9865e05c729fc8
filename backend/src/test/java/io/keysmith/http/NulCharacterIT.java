package io.keysmith.http;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Issue 13 item 8: a NUL byte in any string ({@code organizationName}, {@code firstName}, {@code ?q=%00}) was a 500
 * and an ERROR log line (PostgreSQL cannot store it). It is a 400 naming the field, and nothing is logged as an error.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A NUL character anywhere in a request is a 400 naming the field, not a 500")
class NulCharacterIT {
    private static TestServer server;
    private static Api api;
    private static ListAppender<ILoggingEvent> logged;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("nul_character");
        api = new Api(vertx, server.port());
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
        server.close();
    }

    private static List<String> errors() {
        return logged.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void inTheOrganizationNameOfASignUp() {
        JsonObject p =
                problem(api.signUpResponse("Nul\u0000Org", uniqueEmail("nul-signup"), Api.PASSWORD, Map.of()), 400);
        assertThat(p.getString("field")).isEqualTo("organizationName");
        assertThat(errors()).isEmpty();
    }

    @Test
    void inAPersonsFirstName_andInAPropertyName() {
        Session admin = api.signUp("Nul Person Org", uniqueEmail("nul-person"));
        JsonObject p = problem(
                api.post(
                        "/api/v1/people",
                        admin,
                        new JsonObject().put("firstName", "Ada\u0000").put("lastName", "Lovelace")),
                400);
        assertThat(p.getString("field")).isEqualTo("firstName");
        JsonObject name = problem(
                api.post(
                        "/api/v1/people",
                        admin,
                        new JsonObject().put("first\u0000Name", "Ada").put("lastName", "Lovelace")),
                400);
        assertThat(name.getString("detail")).contains("NUL");
        assertThat(errors()).isEmpty();
    }

    @Test
    void inAQueryParameter_andAPathParameter() {
        Session admin = api.signUp("Nul Query Org", uniqueEmail("nul-query"));
        JsonObject p = problem(api.get("/api/v1/users?q=%00", admin), 400);
        assertThat(p.getString("field")).isEqualTo("q");
        JsonObject k = problem(api.get("/api/v1/organization/api-keys?q=ab%00cd", admin), 400);
        assertThat(k.getString("field")).isEqualTo("q");
        assertThat(api.get("/api/v1/people/%00", admin).statusCode()).isEqualTo(400);
        assertThat(errors()).isEmpty();
    }
}
