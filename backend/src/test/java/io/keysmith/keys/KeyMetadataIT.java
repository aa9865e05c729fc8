package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.ForwardAuthClient;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 4: a key's metadata (a JSON object of at most 1 KB) is set on create, changed or removed by PATCH,
 * answered by verify and by forward-auth as base64url in X-Keysmith-Metadata, follows every change at once, and never
 * grants anything; bad or oversized metadata is 400 and changes nothing.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Key metadata reaches gateways through verify and forward-auth, and never authorizes")
class KeyMetadataIT {
    private static KeysApi api;
    private static Session owner;
    private static ForwardAuthClient gateway;
    private static String gatewayKey;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "key_metadata", KeysApi.manyFailures());
        owner = api.signUp("Metadata", uniqueEmail("md-owner"));
        gatewayKey = api.inheritKey(owner, "gateway", "VERIFICATION").getString("secret");
        gateway = new ForwardAuthClient(api, gatewayKey);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
    }

    private static JsonObject verify(String key) {
        Reply r = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/verify",
                null,
                new JsonObject().put("key", key),
                Map.of("Authorization", "Bearer " + gatewayKey));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonObject header(Reply r) {
        String h = r.header("X-Keysmith-Metadata");
        return h == null
                ? null
                : new JsonObject(new String(Base64.getUrlDecoder().decode(h), StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("set on create, answered by verify and forward-auth, changed and removed by PATCH at once")
    void metadata_followsTheKey() {
        JsonObject metadata = new JsonObject()
                .put("tier", "gold")
                .put("region", "eu-west \u00e9")
                .put("tags", new JsonArray().add("billing").add(7));
        JsonObject created =
                api.createKey(owner, keyBody("tagged", "PEOPLE", "INHERIT").put("metadata", metadata));
        String secret = created.getString("secret");
        String id = created.getJsonObject("key").getString("id");
        assertThat(created.getJsonObject("key").getJsonObject("metadata")).isEqualTo(metadata);
        assertThat(api.getKey(owner, id).json().getJsonObject("metadata")).isEqualTo(metadata);

        JsonObject verdict = verify(secret);
        assertThat(verdict.getString("code")).isEqualTo("VALID");
        assertThat(verdict.getJsonObject("metadata")).isEqualTo(metadata);
        Reply allowed = gateway.ask("GET", "/api/v1/people", secret);
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
        assertThat(header(allowed)).isEqualTo(metadata);
        assertThat(allowed.header("X-Keysmith-Metadata"))
                .doesNotContain("=")
                .doesNotContain("+")
                .doesNotContain("/");

        JsonObject changed = new JsonObject().put("tier", "silver");
        Reply patched = api.patchKey(owner, id, new JsonObject().put("metadata", changed));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(verify(secret).getJsonObject("metadata"))
                .as("the cached verdict followed")
                .isEqualTo(changed);
        assertThat(header(gateway.ask("GET", "/api/v1/people", secret))).isEqualTo(changed);

        Reply renamed = api.patchKey(owner, id, new JsonObject().put("name", "renamed"));
        assertThat(renamed.json().getJsonObject("metadata"))
                .as("absent keeps it")
                .isEqualTo(changed);

        Reply cleared = api.patchKey(owner, id, new JsonObject().putNull("metadata"));
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().containsKey("metadata")).isFalse();
        assertThat(verify(secret).containsKey("metadata")).isFalse();
        assertThat(gateway.ask("GET", "/api/v1/people", secret).header("X-Keysmith-Metadata"))
                .isNull();
    }

    @Test
    @DisplayName("metadata naming permissions or an organization grants nothing and changes no verdict")
    void metadata_neverAuthorizes() {
        JsonObject forged = new JsonObject()
                .put("permissions", new JsonArray().add("people:delete").add("audit:read"))
                .put("apiType", "AUDIT")
                .put("organizationId", "00000000-0000-0000-0000-000000000000");
        String secret = api.createKey(
                        owner,
                        keyBody("reader", "PEOPLE", "SCOPED")
                                .put("permissions", new JsonArray().add("people:read"))
                                .put("metadata", forged))
                .getString("secret");
        JsonObject verdict = verify(secret);
        assertThat(verdict.getJsonArray("permissions").getList()).containsExactly("people:read");
        assertThat(verdict.getString("apiType")).isEqualTo("PEOPLE");
        assertThat(verdict.getString("organizationId")).isEqualTo(owner.organizationId());
        assertThat(gateway.ask("GET", "/api/v1/audit-events", secret).status()).isEqualTo(403);
        assertThat(api.withKey("/api/v1/audit-events", secret).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("over 1 KB, not an object, or too many properties: 400 naming metadata, and nothing stored")
    void badMetadata_is400() {
        JsonObject created = api.createKey(owner, keyBody("plain", "PEOPLE", "INHERIT"));
        String id = created.getJsonObject("key").getString("id");
        JsonObject big = new JsonObject().put("blob", "x".repeat(1020));
        JsonObject many = new JsonObject();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, i);
        }
        JsonObject exactly = new JsonObject().put("b", "y".repeat(1024 - "{\"b\":\"\"}".length()));
        assertThat(exactly.encode().length()).isEqualTo(1024);
        for (Object bad : List.of(big, many, "a string", new JsonArray().add(1), 42)) {
            Reply r = api.patchKey(owner, id, new JsonObject().put("metadata", bad));
            assertThat(problem(r, 400).getString("detail")).as(r.toString()).contains("metadata");
            Reply c = api.createKeyReply(
                    owner, keyBody("bad", "PEOPLE", "INHERIT").put("metadata", bad));
            assertThat(problem(c, 400).getString("detail")).as(c.toString()).contains("metadata");
        }
        // multi-byte characters count in bytes, not characters
        Reply wide = api.patchKey(
                owner, id, new JsonObject().put("metadata", new JsonObject().put("u", "\u00e9".repeat(600))));
        assertThat(problem(wide, 400).getString("detail")).contains("1024 bytes");
        assertThat(api.getKey(owner, id).json().containsKey("metadata")).isFalse();
        Reply ok = api.patchKey(owner, id, new JsonObject().put("metadata", exactly));
        assertThat(ok.status()).as("exactly 1 KB is allowed: %s", ok).isEqualTo(200);
    }
}
