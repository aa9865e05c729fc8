package io.keysmith.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.client.api.AccessLevelsApi;
import io.keysmith.client.api.KeysApi;
import io.keysmith.client.api.OAuthApi;
import io.keysmith.client.api.OrganizationsApi;
import io.keysmith.client.api.PartnersApi;
import io.keysmith.client.api.PeopleApi;
import io.keysmith.client.api.UsersApi;
import io.keysmith.client.model.AccessLevel;
import io.keysmith.client.model.AccessLevelWrite;
import io.keysmith.client.model.ApiKeyCreate;
import io.keysmith.client.model.ApiKeyUpdate;
import io.keysmith.client.model.ApiKeyWithSecret;
import io.keysmith.client.model.CredentialKind;
import io.keysmith.client.model.FieldRight;
import io.keysmith.client.model.FieldRights;
import io.keysmith.client.model.Me;
import io.keysmith.client.model.Partner;
import io.keysmith.client.model.PermissionMode;
import io.keysmith.client.model.Person;
import io.keysmith.client.model.PersonCreate;
import io.keysmith.client.model.PersonPage;
import io.keysmith.client.model.PersonWrite;
import io.keysmith.client.model.RecordScope;
import io.keysmith.client.model.SignUpRequest;
import io.keysmith.client.model.TokenResponse;
import io.keysmith.client.model.UserCreate;
import io.keysmith.client.model.UserKind;
import io.keysmith.client.model.UserWithLink;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seeds' story end to end, as partners live it: with the Java client generated from openapi.yaml, against the
 * packaged server (embedded PostgreSQL). An admin makes a custom access level with only the fields the partner
 * needs, a non-employee user on it, and a key for that user issued to a partner (created empty, permissions saved
 * afterwards); the partner's client lists people and sees only those fields; with write permissions named on the key
 * it creates a person with Idempotency-Key and On-Behalf-Of (a retry replays, another body is 422) and updates it
 * with If-Match (a stale ETag is 412, a field without edit right 403, an unknown On-Behalf-Of 400); the admin
 * disables the key; 401. The same story runs again with an OAuth client instead of a key (issue 16): tokens from the
 * generated OAuthApi, used as Bearer tokens, read exactly what the key reads.
 */
@DisplayName("A partner integrates through the generated Java client")
class PartnerStoryIT {
    private static Process server;
    private static String base;

    /**
     * A port found free may be taken before the server binds it (the embedded PostgreSQL, another test's process):
     * the server then stops with "Address already in use", and the start is tried again on other ports.
     */
    @BeforeAll
    static void start() throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path data = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "keysmith-client-it");
            if (startOn(data)) {
                return;
            }
            if (attempt == 3) {
                throw new IllegalStateException("the server's ports were taken three times running");
            }
        }
    }

    /** True once the server is ready; false when it stopped because a port was taken (fails on anything else). */
    private static boolean startOn(Path data) throws Exception {
        int port = freePort();
        int management = freePort();
        while (management == port) {
            management = freePort();
        }
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        System.getProperty("keysmith.jar"))
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("KEYSMITH_DATA_DIR", data.toString());
        pb.environment().put("KEYSMITH_HTTP_PORT", Integer.toString(port));
        pb.environment().put("KEYSMITH_MANAGEMENT_PORT", Integer.toString(management));
        pb.environment().put("KEYSMITH_HTTP_HOST", "127.0.0.1");
        server = pb.start();
        base = "http://127.0.0.1:" + port;
        HttpClient probe = HttpClient.newHttpClient();
        for (int i = 0; i < 1200; i++) {
            try {
                if (probe.send(
                                        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!server.isAlive()) {
                String log = Files.readString(data.resolve("server.log"));
                if (log.contains("Address already in use")) {
                    return false;
                }
                assertThat(server.isAlive()).as("server running: %s", log).isTrue();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server did not become ready");
    }

    @AfterAll
    static void stop() throws Exception {
        server.destroy();
        server.waitFor(60, TimeUnit.SECONDS);
    }

    /** The admin SPA's way: a cookie jar, and the CSRF token on every state change. */
    private static ApiClient session(String[] csrf) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base);
        client.setHttpClientBuilder(HttpClient.newBuilder().cookieHandler(new CookieManager()));
        client.setRequestInterceptor(b -> {
            if (csrf[0] != null) {
                b.header("X-CSRF-Token", csrf[0]);
            }
        });
        return client;
    }

    /** The partner's way: the key as the HTTP Basic user name. */
    private static ApiClient partner(String key) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base);
        String basic = Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
        client.setRequestInterceptor(b -> b.header("Authorization", "Basic " + basic));
        return client;
    }

    /** What both runs start from: the admin's session, and the integration user and partner a credential goes to. */
    private record Story(ApiClient admin, Me me, UUID integration, UUID partner) {}

    /**
     * The admin signs up, adds two people, an access level with only the partner's fields, a non-employee user on it,
     * and finds the payroll partner in the directory.
     */
    private static Story setUp(String organization, String domain) throws Exception {
        String[] adminCsrf = new String[1];
        ApiClient admin = session(adminCsrf);
        Me me = new OrganizationsApi(admin)
                .signUp(new SignUpRequest()
                        .organizationName(organization)
                        .firstName("Ada")
                        .lastName("Admin")
                        .email("ada@" + domain)
                        .password("a long admin password"));
        adminCsrf[0] = me.getCsrfToken();

        PeopleApi people = new PeopleApi(admin);
        people.createPerson(
                new PersonCreate()
                        .firstName("Grace")
                        .lastName("Hopper")
                        .department("Engineering")
                        .salary(new BigDecimal("150000"))
                        .nationalId("GH-1906")
                        .homeAddress("1 Navy Way"),
                null,
                null);
        people.createPerson(
                new PersonCreate()
                        .firstName("Alan")
                        .lastName("Turing")
                        .department("Research")
                        .salary(new BigDecimal("140000"))
                        .nationalId("AT-1912"),
                null,
                null);

        AccessLevel level = new AccessLevelsApi(admin)
                .createAccessLevel(new AccessLevelWrite()
                        .name("Payroll partner")
                        .recordScope(RecordScope.ALL)
                        .fieldRights(new FieldRights()
                                .firstName(FieldRight.EDIT)
                                .lastName(FieldRight.EDIT)
                                .salary(FieldRight.VIEW))
                        .permissions(Set.of("people:read", "people:create", "people:update", "keys:create-own")));
        UserWithLink integration = new UsersApi(admin)
                .createUser(new UserCreate()
                        .email("payroll-bot@" + domain)
                        .firstName("Payroll")
                        .lastName("Integration")
                        .kind(UserKind.NON_EMPLOYEE)
                        .accessLevelId(level.getId()));
        Partner payroll = new PartnersApi(admin)
                .listPartners().getItems().stream()
                        .filter(p -> p.getName().equals("Payroll provider"))
                        .findFirst()
                        .orElseThrow();

        return new Story(admin, me, integration.getUser().getId(), payroll.getId());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aPartnerSeesOnlyTheGrantedFields_untilTheKeyIsDisabled() throws Exception {
        Story story = setUp("Acme Payroll Story", "story.test");
        ApiClient admin = story.admin();
        Me me = story.me();
        PeopleApi people = new PeopleApi(admin);
        KeysApi keys = new KeysApi(admin);
        ApiKeyWithSecret created = keys.createApiKey(
                new ApiKeyCreate()
                        .name("Payroll sync")
                        .apiType("PEOPLE")
                        .partnerId(story.partner())
                        .ownerUserId(story.integration())
                        .permissionMode(PermissionMode.SCOPED)
                        .permissions(Set.of()),
                null);
        String secret = created.getSecret();
        assertThat(secret).startsWith("ksk_");
        assertThat(keys.getApiKey(created.getKey().getId()).toString()).doesNotContain(secret);

        // created granting nothing: the partner's client is refused
        assertThatThrownBy(() -> new PeopleApi(partner(secret)).listPeople(50, null, null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));

        // the admin saves the permissions the partner needs
        keys.updateApiKey(
                created.getKey().getId(),
                new ApiKeyUpdate()
                        .permissions(Set.of("people:read"))
                        .fieldRights(new FieldRights()
                                .firstName(FieldRight.VIEW)
                                .lastName(FieldRight.VIEW)
                                .salary(FieldRight.VIEW)));

        PersonPage page = new PeopleApi(partner(secret)).listPeople(50, null, null, null);
        List<Person> seen = page.getItems();
        assertThat(seen).extracting(Person::getLastName).containsExactly("Hopper", "Turing");
        assertThat(seen).extracting(Person::getSalary).doesNotContainNull();
        assertThat(seen).allSatisfy(p -> {
            assertThat(p.getDepartment()).isNull();
            assertThat(p.getNationalId()).isNull();
            assertThat(p.getHomeAddress()).isNull();
        });

        // the partner writes too (ADR 0012): the admin names the write permissions and edit rights on the key
        keys.updateApiKey(
                created.getKey().getId(),
                new ApiKeyUpdate()
                        .permissions(Set.of("people:read", "people:create", "people:update"))
                        .fieldRights(new FieldRights()
                                .firstName(FieldRight.EDIT)
                                .lastName(FieldRight.EDIT)
                                .salary(FieldRight.VIEW)));
        PeopleApi writer = new PeopleApi(partner(secret));
        UUID recruiter = me.getUser().getId();
        String idempotencyKey = UUID.randomUUID().toString();
        PersonCreate hire = new PersonCreate().firstName("Ada").lastName("Lovelace");
        ApiResponse<Person> hired = writer.createPersonWithHttpInfo(hire, idempotencyKey, recruiter);
        assertThat(hired.getStatusCode()).isEqualTo(201);
        assertThat(header(hired, "Idempotent-Replayed")).isNull();
        // the partner's retry (a timeout, say) replays the first answer: one record
        ApiResponse<Person> retried = writer.createPersonWithHttpInfo(hire, idempotencyKey, recruiter);
        assertThat(retried.getStatusCode()).isEqualTo(201);
        assertThat(header(retried, "Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.getData().getId()).isEqualTo(hired.getData().getId());
        assertThat(writer.listPeople(50, null, null, null).getItems())
                .extracting(Person::getLastName)
                .containsExactly("Hopper", "Lovelace", "Turing");
        // the same key with another body is refused
        assertThatThrownBy(() ->
                        writer.createPerson(new PersonCreate().firstName("X").lastName("Y"), idempotencyKey, recruiter))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));

        String etag = header(hired, "ETag");
        ApiResponse<Person> renamed = writer.updatePersonWithHttpInfo(
                hired.getData().getId(), new PersonWrite().firstName("Augusta Ada"), etag, recruiter);
        assertThat(renamed.getStatusCode()).isEqualTo(200);
        assertThat(renamed.getData().getFirstName()).isEqualTo("Augusta Ada");
        // a write over the stale ETag is refused, and a field the key may not edit too
        assertThatThrownBy(() -> writer.updatePerson(
                        hired.getData().getId(), new PersonWrite().lastName("King"), etag, recruiter))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThatThrownBy(() -> writer.updatePerson(
                        hired.getData().getId(), new PersonWrite().salary(new BigDecimal("1")), null, recruiter))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getResponseBody()).contains("salary");
                });
        // On-Behalf-Of must name an active user of the organization
        assertThatThrownBy(() -> writer.updatePerson(
                        hired.getData().getId(), new PersonWrite().lastName("King"), null, UUID.randomUUID()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("On-Behalf-Of");
                });
        assertThat(people.getPerson(hired.getData().getId()).getLastName()).isEqualTo("Lovelace");

        keys.disableApiKey(created.getKey().getId());
        assertThatThrownBy(() -> new PeopleApi(partner(secret)).listPeople(50, null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(401);
                    assertThat(e.getResponseBody())
                            .contains("problems/unauthenticated")
                            .doesNotContain(secret);
                });
    }

    /** client_secret_basic (RFC 6749 §2.3.1): client_id and secret form-url-encoded, then HTTP Basic. */
    private static Map<String, String> clientBasic(UUID clientId, String secret) {
        String pair = URLEncoder.encode(clientId.toString(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return Map.of(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /** The partner's way with an OAuth client: the access token as a Bearer token. */
    private static ApiClient bearer(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base);
        client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
        return client;
    }

    /** The generated OAuthApi's token request, authenticated with client_secret_basic. */
    private static TokenResponse token(UUID clientId, String secret, String scope, UUID userId) throws ApiException {
        ApiClient anonymous = new ApiClient();
        anonymous.updateBaseUri(base);
        return new OAuthApi(anonymous)
                .requestAccessToken("client_credentials", scope, userId, null, null, clientBasic(clientId, secret));
    }

    /**
     * The same story with an OAuth client instead of a key (issue 16): created empty, its token reads nothing; with
     * the same permissions and field rights saved, a token from the generated OAuthApi (client_secret_basic) reads
     * exactly what a key with those rights reads; a token for a user (user_id, the token's sub) writes as a key with
     * On-Behalf-Of does; a revoked token (RFC 7009, client_secret_post) and a disabled client are refused.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aPartnerWithAnOAuthClient_seesWhatTheKeySees_untilTheClientIsDisabled() throws Exception {
        Story story = setUp("Acme Payroll OAuth Story", "oauth-story.test");
        KeysApi keys = new KeysApi(story.admin());
        ApiKeyWithSecret created = keys.createApiKey(
                new ApiKeyCreate()
                        .name("Payroll sync (OAuth)")
                        .credentialKind(CredentialKind.OAUTH_CLIENT)
                        .apiType("PEOPLE")
                        .partnerId(story.partner())
                        .ownerUserId(story.integration())
                        .permissionMode(PermissionMode.SCOPED)
                        .permissions(Set.of()),
                null);
        String secret = created.getSecret();
        UUID clientId = UUID.fromString(created.getKey().getClientId());
        assertThat(secret).startsWith("kso_");
        assertThat(created.getKey().getCredentialKind()).isEqualTo(CredentialKind.OAUTH_CLIENT);
        assertThat(keys.getApiKey(created.getKey().getId()).toString()).doesNotContain(secret);

        // created granting nothing: its token carries no scope, and the people endpoints refuse it
        TokenResponse empty = token(clientId, secret, null, null);
        assertThat(empty.getTokenType()).isEqualTo(TokenResponse.TokenTypeEnum.BEARER);
        assertThat(empty.getScope()).isEmpty();
        assertThatThrownBy(() -> new PeopleApi(bearer(empty.getAccessToken())).listPeople(50, null, null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));

        FieldRights viewing = new FieldRights()
                .firstName(FieldRight.VIEW)
                .lastName(FieldRight.VIEW)
                .salary(FieldRight.VIEW);
        keys.updateApiKey(
                created.getKey().getId(),
                new ApiKeyUpdate().permissions(Set.of("people:read")).fieldRights(viewing));
        // a key with the same rights, for the equivalence below
        ApiKeyWithSecret key = keys.createApiKey(
                new ApiKeyCreate()
                        .name("Payroll sync (key)")
                        .apiType("PEOPLE")
                        .partnerId(story.partner())
                        .ownerUserId(story.integration())
                        .permissionMode(PermissionMode.SCOPED)
                        .permissions(Set.of("people:read"))
                        .fieldRights(viewing),
                null);

        TokenResponse reading = token(clientId, secret, "people:read", null);
        assertThat(reading.getScope()).isEqualTo("people:read");
        assertThat(reading.getExpiresIn()).isEqualTo(900L);
        List<Person> seen = new PeopleApi(bearer(reading.getAccessToken()))
                .listPeople(50, null, null, null)
                .getItems();
        assertThat(seen).extracting(Person::getLastName).containsExactly("Hopper", "Turing");
        assertThat(seen).extracting(Person::getSalary).doesNotContainNull();
        assertThat(seen).allSatisfy(p -> {
            assertThat(p.getDepartment()).isNull();
            assertThat(p.getNationalId()).isNull();
            assertThat(p.getHomeAddress()).isNull();
        });
        assertThat(seen)
                .as("the token sees exactly what the key with the same rights sees")
                .isEqualTo(new PeopleApi(partner(key.getSecret()))
                        .listPeople(50, null, null, null)
                        .getItems());
        assertThat(new PeopleApi(bearer(reading.getAccessToken()))
                        .getPerson(seen.get(0).getId()))
                .isEqualTo(new PeopleApi(partner(key.getSecret()))
                        .getPerson(seen.get(0).getId()));
        // the scope only narrows: a permission the client does not hold is invalid_scope
        assertThatThrownBy(() -> token(clientId, secret, "people:read people:delete", null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("invalid_scope");
                });

        // writes: the admin names the write permissions and edit rights; the token acts for a user (user_id → sub)
        keys.updateApiKey(
                created.getKey().getId(),
                new ApiKeyUpdate()
                        .permissions(Set.of("people:read", "people:create", "people:update"))
                        .fieldRights(new FieldRights()
                                .firstName(FieldRight.EDIT)
                                .lastName(FieldRight.EDIT)
                                .salary(FieldRight.VIEW)));
        UUID recruiter = story.me().getUser().getId();
        TokenResponse writing = token(clientId, secret, "people:read people:create people:update", recruiter);
        PeopleApi writer = new PeopleApi(bearer(writing.getAccessToken()));
        String idempotencyKey = UUID.randomUUID().toString();
        PersonCreate hire = new PersonCreate().firstName("Ada").lastName("Lovelace");
        ApiResponse<Person> hired = writer.createPersonWithHttpInfo(hire, idempotencyKey, null);
        assertThat(hired.getStatusCode()).isEqualTo(201);
        ApiResponse<Person> retried = writer.createPersonWithHttpInfo(hire, idempotencyKey, null);
        assertThat(header(retried, "Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.getData().getId()).isEqualTo(hired.getData().getId());
        String etag = header(hired, "ETag");
        assertThat(writer.updatePerson(hired.getData().getId(), new PersonWrite().firstName("Augusta Ada"), etag, null)
                        .getFirstName())
                .isEqualTo("Augusta Ada");
        assertThatThrownBy(() -> writer.updatePerson(
                        hired.getData().getId(), new PersonWrite().salary(new BigDecimal("1")), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getResponseBody()).contains("salary");
                });
        // a user_id that is no active user of the organization buys no token
        assertThatThrownBy(() -> token(clientId, secret, null, UUID.randomUUID()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("invalid_request");
                });

        // RFC 7009 through the generated client (client_secret_post): that token stops, the others do not
        ApiClient anonymous = new ApiClient();
        anonymous.updateBaseUri(base);
        new OAuthApi(anonymous).revokeAccessToken(writing.getAccessToken(), null, clientId.toString(), secret);
        assertThatThrownBy(() -> writer.listPeople(50, null, null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        assertThat(new PeopleApi(bearer(reading.getAccessToken()))
                        .listPeople(50, null, null, null)
                        .getItems())
                .hasSize(3);

        keys.disableApiKey(created.getKey().getId());
        assertThatThrownBy(() -> new PeopleApi(bearer(reading.getAccessToken())).listPeople(50, null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(401);
                    assertThat(e.getResponseBody()).contains("problems/unauthenticated");
                });
        assertThatThrownBy(() -> token(clientId, secret, null, null)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.getCode()).isEqualTo(401);
            assertThat(e.getResponseBody()).contains("invalid_client").doesNotContain(secret);
        });
    }

    private static String header(ApiResponse<?> r, String name) {
        return r.getHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElse(null);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
