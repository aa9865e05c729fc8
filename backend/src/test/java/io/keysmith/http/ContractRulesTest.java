package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.accesslevels.AccessLevelHandlers;
import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditHandlers;
import io.keysmith.keys.ForwardAuthHandlers;
import io.keysmith.keys.KeyFormatHandlers;
import io.keysmith.keys.KeyHandlers;
import io.keysmith.ops.HealthHandlers;
import io.keysmith.organizations.OrganizationHandlers;
import io.keysmith.partners.PartnerHandlers;
import io.keysmith.people.PeopleHandlers;
import io.keysmith.signin.SessionHandlers;
import io.keysmith.usage.UsageHandlers;
import io.keysmith.users.UserHandlers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules every operation of openapi.yaml must keep; a new operation that breaks one fails the build. */
@DisplayName("The contract's rules")
class ContractRulesTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final Set<String> SCHEMES =
            Set.of("session", "keyBasic", "keyBearer", "operator", "gatewayKey", "oauth2");
    private static final Pattern PERMISSION = Pattern.compile("public|authenticated|[a-z][a-z-]*:[a-z][a-z-]*");

    record Op(String id, String method, String path, JsonObject spec) {}

    static JsonObject contract() throws IOException {
        try (InputStream in = ContractRulesTest.class.getClassLoader().getResourceAsStream(Contract.PATH)) {
            assertThat(in)
                    .as("openapi.yaml is packaged from the repository root")
                    .isNotNull();
            return Contract.raw(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static List<Op> operations() throws IOException {
        List<Op> ops = new ArrayList<>();
        JsonObject paths = contract().getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.fieldNames()) {
                if (METHODS.contains(method)) {
                    JsonObject op = item.getJsonObject(method);
                    ops.add(new Op(op.getString("operationId"), method, path, op));
                }
            }
        }
        return ops;
    }

    /** Public operations whose body is a batch of up to 1,000 reported secrets. */
    private static final Set<String> PUBLIC_BULK = Set.of("reportGitHubSecretScanning", "revokeCredentials");

    @Test
    void everyOperation_hasADeclaredOrDefaultedBodyLimit_aFewKbForPublicOnes() throws IOException {
        long serverMax = 1024 * 1024;
        for (Op op : operations()) {
            Object declared = op.spec().getValue(BodyLimits.EXTENSION);
            if (declared != null) {
                assertThat(declared).as("%s %s", op.id(), BodyLimits.EXTENSION).isInstanceOf(Integer.class);
                assertThat((Integer) declared).as(op.id()).isBetween(1024, (int) serverMax);
            }
            long limit = BodyLimits.of(op.spec(), serverMax);
            assertThat(limit).as(op.id()).isPositive().isLessThanOrEqualTo(serverMax);
            // issue 18: the two ways leaks are reported carry up to 1,000 secrets by design (GitHub's batches, the
            // public revocation API); each declares the limit that fits them and no more
            if (BodyLimits.isPublic(op.spec()) && !PUBLIC_BULK.contains(op.id())) {
                assertThat(limit).as("public operation %s", op.id()).isLessThanOrEqualTo(BodyLimits.PUBLIC_MAX);
            }
            if (op.spec().containsKey("requestBody")) {
                assertThat(op.spec().getJsonObject("responses").fieldNames())
                        .as("%s takes a body: it declares its 413", op.id())
                        .contains("413");
            }
        }
        // the server never reads more than its own setting, whatever the contract says
        assertThat(BodyLimits.of(new JsonObject().put(BodyLimits.EXTENSION, 65536), 10_000))
                .isEqualTo(10_000);
        assertThat(BodyLimits.of(new JsonObject().put("security", new JsonArray()), serverMax))
                .isEqualTo(BodyLimits.PUBLIC_DEFAULT);
    }

    @Test
    void isOpenApi31() throws IOException {
        assertThat(contract().getString("openapi")).startsWith("3.1");
    }

    @Test
    void everyOperation_isBoundInTheRouteTable_andNothingElseIs() throws IOException {
        Set<String> bound = Routes.boundOperationIds(new Routes.Handlers(
                new HealthHandlers(null),
                new KeyFormatHandlers(),
                new SessionHandlers(null, null, null),
                new OrganizationHandlers(null, null, null),
                new UserHandlers(null, null),
                new AuditHandlers(null),
                new AccessLevelHandlers(null, null, null),
                new PeopleHandlers(null, null, null),
                new KeyHandlers(null, null, null, null, null),
                new PartnerHandlers(null, null),
                new ForwardAuthHandlers(null, null, null, null, null, null, null),
                new UsageHandlers(null),
                new io.keysmith.webhooks.WebhookHandlers(null, null),
                new io.keysmith.notifications.NotificationHandlers(null),
                new io.keysmith.oauth.OAuthHandlers(null, null, null, null, null),
                new io.keysmith.leastprivilege.LeastPrivilegeHandlers(null, null),
                new io.keysmith.handoff.HandoffHandlers(null, null),
                new io.keysmith.leaks.LeakHandlers(null, null, null, 1),
                new io.keysmith.signin.SecondFactorHandlers(null, null, null),
                new io.keysmith.sso.SsoHandlers(null, null, null)));
        Set<String> declared = new HashSet<>();
        operations().forEach(op -> declared.add(op.id()));
        assertThat(bound).as("route table vs openapi.yaml").containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void everyOperation_declaresItsSecurity() throws IOException {
        for (Op op : operations()) {
            assertThat(op.spec().containsKey("security"))
                    .as(
                            "%s %s declares `security` (session, keyBasic/keyBearer, or [] for public)",
                            op.method(), op.path())
                    .isTrue();
            JsonArray security = op.spec().getJsonArray("security");
            for (Object requirement : security) {
                assertThat(((JsonObject) requirement).fieldNames()).as(op.id()).isSubsetOf(SCHEMES);
            }
        }
    }

    @Test
    void everyOperation_declaresItsPermission_consistentWithItsSecurity() throws IOException {
        for (Op op : operations()) {
            String permission = op.spec().getString("x-permission");
            assertThat(permission).as("%s declares x-permission", op.id()).isNotBlank();
            assertThat(permission).as(op.id()).matches(PERMISSION);
            boolean isPublic = op.spec().getJsonArray("security").isEmpty();
            assertThat(isPublic)
                    .as("%s: x-permission public <=> security []", op.id())
                    .isEqualTo(permission.equals("public"));
        }
    }

    @Test
    void everyOperation_hasAUniqueId_aTag_andErrorsAsProblemJson() throws IOException {
        Set<String> ids = new HashSet<>();
        for (Op op : operations()) {
            assertThat(ids.add(op.id())).as("unique operationId %s", op.id()).isTrue();
            assertThat(op.spec().getJsonArray("tags")).as(op.id()).isNotEmpty();
            JsonObject responses = op.spec().getJsonObject("responses");
            for (String status : responses.fieldNames()) {
                if (status.startsWith("4") || status.startsWith("5")) {
                    String text = responses.getValue(status).toString();
                    assertThat(text)
                            .as("%s %s is problem+json", op.id(), status)
                            .containsAnyOf("application/problem+json", "#/components/responses/");
                }
            }
        }
    }

    @Test
    void everyPermission_isInTheCatalog_andEveryCatalogEntryIsUsedOrDeclaredForLater() throws IOException {
        JsonObject contract = contract();
        Set<String> catalog = new HashSet<>();
        for (Object g : contract.getJsonArray("x-permission-catalog")) {
            JsonObject group = (JsonObject) g;
            assertThat(group.getString("title")).isNotBlank();
            group.getJsonObject("permissions").forEach(e -> {
                assertThat(e.getKey())
                        .as("permission name")
                        .matches(PERMISSION)
                        .startsWith(group.getString("resource") + ":");
                assertThat((String) e.getValue()).as("title of %s", e.getKey()).isNotBlank();
                catalog.add(e.getKey());
            });
        }
        Set<String> used = new HashSet<>();
        for (Op op : operations()) {
            String p = op.spec().getString("x-permission");
            if (!p.equals("public") && !p.equals("authenticated")) {
                assertThat(catalog)
                        .as("%s's x-permission %s is in x-permission-catalog", op.id(), p)
                        .contains(p);
                used.add(p);
            }
        }
        // permissions the next issues' operations use (keys, policies, partners) are declared ahead of them
        // developer permissions are checked by the key rules (KeyService), not by an operation's x-permission
        Set<String> declaredAhead = Set.of("keys:manage-all");
        Set<String> unused = new HashSet<>(catalog);
        unused.removeAll(used);
        assertThat(unused).as("catalog entries no operation uses").isSubsetOf(declaredAhead);
    }

    @Test
    void theCatalog_servesGrantablePermissions_andPersonFieldsWithSensitivity() throws IOException {
        PermissionCatalog catalog = PermissionCatalog.from(contract());
        assertThat(catalog.isGrantable("people:read")).isTrue();
        assertThat(catalog.isGrantable("platform:manage-organizations")).isFalse();
        assertThat(catalog.fields())
                .extracting(PermissionCatalog.Field::name)
                .contains("firstName", "salary", "dateOfBirth", "nationalId", "homeAddress")
                .doesNotContain("id", "userId");
        assertThat(catalog.fields())
                .filteredOn(PermissionCatalog.Field::sensitive)
                .extracting(PermissionCatalog.Field::name)
                .containsExactlyInAnyOrder("salary", "dateOfBirth", "nationalId", "homeAddress");
        JsonObject fieldRights = contract()
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject("FieldRights")
                .getJsonObject("properties");
        assertThat(fieldRights.fieldNames())
                .as("FieldRights names exactly the person fields")
                .containsExactlyInAnyOrderElementsOf(catalog.fieldsByName().keySet());
    }
}
