package io.keysmith.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.http.Contract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The contract's oauth2 scheme cannot drift from the permission catalog")
class OAuthContractTest {

    private static JsonObject contract() throws Exception {
        try (InputStream in = OAuthContractTest.class.getClassLoader().getResourceAsStream(Contract.PATH)) {
            return Contract.raw(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    @DisplayName("the clientCredentials flow's scopes are exactly the grantable permissions of the catalog")
    void theScopes_areThePermissionCatalog() throws Exception {
        JsonObject contract = contract();
        JsonObject flow = contract.getJsonObject("components")
                .getJsonObject("securitySchemes")
                .getJsonObject("oauth2")
                .getJsonObject("flows")
                .getJsonObject("clientCredentials");
        Set<String> scopes = new TreeSet<>(flow.getJsonObject("scopes").fieldNames());
        Set<String> catalog = new TreeSet<>();
        OAuthFeature.scopes(PermissionCatalog.from(contract)).forEach(p -> catalog.add((String) p));
        assertThat(catalog).isNotEmpty();
        assertThat(scopes).isEqualTo(catalog);
        assertThat(flow.getString("tokenUrl")).endsWith("/oauth/token");
    }

    @Test
    @DisplayName(
            "every operation that accepts a key as a Bearer token accepts an access token, with its permission as scope")
    void everyKeyBearerOperation_declaresOauth2_withItsPermission() throws Exception {
        JsonObject paths = contract().getJsonObject("paths");
        int seen = 0;
        for (String path : paths.fieldNames()) {
            for (var entry : paths.getJsonObject(path)) {
                if (!(entry.getValue() instanceof JsonObject op) || !op.containsKey("operationId")) {
                    continue;
                }
                JsonArray security = op.getJsonArray("security", op.getJsonArray("x-security", new JsonArray()));
                boolean bearer = security.stream().anyMatch(r -> ((JsonObject) r).containsKey("keyBearer"));
                JsonObject oauth = security.stream()
                        .map(r -> (JsonObject) r)
                        .filter(r -> r.containsKey("oauth2"))
                        .findFirst()
                        .orElse(null);
                assertThat(oauth != null)
                        .as("%s: oauth2 <=> keyBearer", op.getString("operationId"))
                        .isEqualTo(bearer);
                if (oauth != null) {
                    seen++;
                    String permission = op.getString("x-permission");
                    JsonArray expected =
                            permission.equals("authenticated") ? new JsonArray() : new JsonArray().add(permission);
                    assertThat(oauth.getJsonArray("oauth2"))
                            .as(op.getString("operationId"))
                            .isEqualTo(expected);
                }
            }
        }
        assertThat(seen).as("people, audit events and verify accept tokens").isGreaterThanOrEqualTo(8);
    }
}
