package io.keysmith.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration: defaults, file, environment; a bad value names the setting")
class KeysmithConfigTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static KeysmithConfig load(JsonObject overrides) {
        return KeysmithConfig.load(vertx, overrides).await();
    }

    @Test
    void defaults() {
        KeysmithConfig c = load(new JsonObject());
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.managementPort()).isEqualTo(9090);
        assertThat(c.bodyLimitBytes()).isEqualTo(1024 * 1024);
        assertThat(c.embeddedDatabase()).isTrue();
        assertThat(c.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.migrateOnStart()).isTrue();
    }

    @Test
    void anExternalDatabase_requiresThePublicUrl_soNoLinkIsEverBuiltFromTheHostHeader() {
        JsonObject external = new JsonObject().put("database.url", "postgresql://u:p@db.example:5432/keysmith");
        assertThatThrownBy(() -> load(external).requireServingSettings())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_PUBLIC_URL")
                .hasMessageNotContaining("u:p@");
        assertThat(load(external.copy().put("public.url", "https://keys.example.com/"))
                        .publicUrl())
                .isEqualTo("https://keys.example.com");
        // the embedded database: http://localhost:<port> unless set
        assertThat(load(new JsonObject()).requireServingSettings().publicUrl()).isEmpty();
        assertThatThrownBy(() -> load(new JsonObject().put("public.url", "keys.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_PUBLIC_URL");
    }

    @Test
    void environmentNames_mapToDottedKeys() {
        assertThat(Settings.envName("database.migration.url")).isEqualTo("KEYSMITH_DATABASE_MIGRATION_URL");
        assertThat(Settings.keyOf("KEYSMITH_TRUSTED_PROXIES")).isEqualTo("trusted.proxies");
        JsonObject retrieved = new JsonObject()
                .put("http", new JsonObject().put("port", 8080))
                .put("KEYSMITH_HTTP_PORT", "7000")
                .put("PATH", "/usr/bin");
        assertThat(Settings.of(retrieved, new JsonObject()).integer("http.port", 0, 65535))
                .isEqualTo(7000);
    }

    @Test
    void aFile_overridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keysmith.yaml");
        Files.writeString(file, "http:\n  port: 8181\ntrusted:\n  proxies: 10.0.0.0/8, 192.168.1.7\n");
        KeysmithConfig c = load(new JsonObject().put("config.file", file.toString()));
        assertThat(c.httpPort()).isEqualTo(8181);
        assertThat(c.trustedProxies()).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "192.168.1.7/32");
    }

    @Test
    void invalidValues_stopStartUp_withOneLineNamingTheSetting() {
        assertThatThrownBy(() -> load(new JsonObject().put("http.port", "eighty")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "Invalid setting KEYSMITH_HTTP_PORT (http.port) = 'eighty': must be a whole number between 0 and 65535");
        assertThatThrownBy(() -> load(new JsonObject().put("management.port", 70000)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_MANAGEMENT_PORT");
        assertThatThrownBy(() -> load(new JsonObject().put("trusted.proxies", "10.0.0.0/33")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_TRUSTED_PROXIES");
        assertThatThrownBy(() -> load(new JsonObject().put("trusted.proxies", "proxy.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_TRUSTED_PROXIES");
        assertThatThrownBy(() -> load(new JsonObject().put("database.url", "mysql://u:hunter2@h/db")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_DATABASE_URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> load(new JsonObject().put("log.format", "xml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_LOG_FORMAT");
        assertThatThrownBy(() -> load(new JsonObject().put("database.migrate", "perhaps")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_DATABASE_MIGRATE");
    }

    @Test
    void missingConfigFile_isReported() {
        assertThatThrownBy(() -> load(new JsonObject().put("config.file", "/nonexistent/keysmith.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/keysmith.yaml");
    }

    @Test
    void cidrs_matchAddresses() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertThat(net.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(net.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains(java.net.InetAddress.getByName("fd12::1")))
                .isTrue();
    }
}
