package io.keysmith.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the server, validated once at start. Sources, later winning: {@code keysmith-defaults.yaml} on
 * the classpath, an optional file ({@code KEYSMITH_CONFIG_FILE}), {@code KEYSMITH_*} environment variables, and
 * programmatic overrides (tests).
 */
public record KeysmithConfig(
        String httpHost,
        int httpPort,
        int managementPort,
        long bodyLimitBytes,
        boolean accessLog,
        Path dataDir,
        Optional<PgConnectOptions> databaseUrl,
        Optional<PgConnectOptions> migrationUrl,
        String appUser,
        Optional<String> appPassword,
        int poolSize,
        boolean migrateOnStart,
        Optional<String> secret,
        List<Cidr> trustedProxies,
        int instances,
        int shutdownGraceSeconds,
        String publicUrl,
        boolean signUpEnabled,
        Optional<String> operatorToken,
        int sessionIdleMinutes,
        int sessionAbsoluteHours,
        int signInLimitPerAccount,
        int signInLimitPerAddress,
        int signInWindowSeconds,
        int signInAttemptsPerAddress,
        int signUpLimitPerAddress,
        int signUpLimitPerEmail,
        int signUpWindowSeconds,
        int passwordHashingThreads,
        int passwordHashingAddressBurst,
        double passwordHashingAddressPerSecond,
        int passwordHashingAddressQueue,
        boolean demo,
        SmtpSettings smtp,
        int keyCacheTtlSeconds,
        int keyFailuresPerMinute,
        List<Cidr> gatewayCidrs,
        String gatewayClientAddressHeader,
        int usageFlushSeconds,
        int usageMaxBuckets,
        boolean usageMetering,
        int usageMinuteRetentionHours,
        int usageHourRetentionDays,
        boolean rateLimits,
        int rateLimitSyncMillis,
        int metricsMaxKeys,
        int metricsMaxOrganizations,
        WebhookSettings webhooks,
        OAuthSettings oauth) {

    public static Future<KeysmithConfig> load(Vertx vertx, JsonObject overrides) {
        ConfigRetrieverOptions options = new ConfigRetrieverOptions()
                .setIncludeDefaultStores(false)
                .addStore(new ConfigStoreOptions()
                        .setType("file")
                        .setFormat("yaml")
                        .setConfig(new JsonObject().put("path", "keysmith-defaults.yaml")));
        String file =
                Optional.ofNullable(overrides.getString("config.file")).orElse(System.getenv("KEYSMITH_CONFIG_FILE"));
        if (file != null && !file.isBlank()) {
            options.addStore(new ConfigStoreOptions()
                    .setType("file")
                    .setFormat(file.endsWith(".json") ? "json" : "yaml")
                    .setOptional(false)
                    .setConfig(new JsonObject().put("path", file)));
        }
        options.addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
        ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
        return retriever
                .getConfig()
                .recover(e -> Future.failedFuture(new ConfigException("Cannot read configuration"
                        + (file == null ? "" : " file KEYSMITH_CONFIG_FILE=" + file) + ": " + e.getMessage())))
                .map(json -> from(Settings.of(json, overrides)))
                .onComplete(x -> retriever.close());
    }

    static KeysmithConfig from(Settings s) {
        s.oneOf("log.format", "text", "json"); // read by logback.xml; checked here so a typo stops start-up
        return new KeysmithConfig(
                s.string("http.host"),
                s.integer("http.port", 0, 65535),
                s.integer("management.port", 0, 65535),
                s.integer("http.body.limit", 1024, 64 * 1024 * 1024),
                s.bool("http.access.log"),
                Path.of(s.string("data.dir")).toAbsolutePath().normalize(),
                s.optional("database.url").map(u -> pgUri("database.url", u)),
                s.optional("database.migration.url").map(u -> pgUri("database.migration.url", u)),
                identifier(s, "database.app.user"),
                s.optional("database.app.password"),
                s.integer("database.pool.size", 1, 200),
                s.bool("database.migrate"),
                s.optional("secret"),
                s.cidrs("trusted.proxies"),
                s.integer("instances", 0, 256),
                s.integer("shutdown.grace.seconds", 0, 600),
                s.optional("public.url")
                        .map(u -> url("public.url", u).replaceAll("/+$", ""))
                        .orElse(""),
                s.bool("signup.enabled"),
                s.optional("operator.token").map(t -> {
                    if (t.length() < 24) {
                        throw ConfigException.invalid("operator.token", null, "must be at least 24 characters");
                    }
                    return t;
                }),
                s.integer("session.idle.minutes", 1, 7 * 24 * 60),
                s.integer("session.absolute.hours", 1, 24 * 30),
                s.integer("signin.throttle.account", 1, 1000),
                s.integer("signin.throttle.address", 1, 100000),
                s.integer("signin.throttle.window.seconds", 1, 86400),
                s.integer("signin.throttle.attempts", 1, 1_000_000),
                s.integer("signup.throttle.address", 1, 100000),
                s.integer("signup.throttle.email", 1, 100000),
                s.integer("signup.throttle.window.seconds", 1, 7 * 86400),
                s.integer("password.hashing.threads", 1, 64),
                s.integer("password.hashing.address.burst", 1, 10000),
                s.integer("password.hashing.address.per.minute", 1, 600000) / 60.0,
                s.integer("password.hashing.address.queue", 0, 1000),
                s.bool("demo"),
                new SmtpSettings(
                        s.optional("smtp.host").orElse(""),
                        s.integer("smtp.port", 1, 65535),
                        s.optional("smtp.username").orElse(""),
                        s.optional("smtp.password").orElse(""),
                        s.string("smtp.from"),
                        s.oneOf("smtp.starttls", "optional", "required", "disabled")),
                s.integer("key.cache.ttl.seconds", 1, 3600),
                s.integer("key.failures.per.minute", 1, 1_000_000),
                s.cidrs("gateway.cidrs"),
                headerName("gateway.client.address.header", s.string("gateway.client.address.header")),
                s.integer("usage.flush.seconds", 1, 300),
                s.integer("usage.max.buckets", 1000, 10_000_000),
                s.bool("usage.metering.enabled"),
                s.integer("usage.retention.minute.hours", 2, 24 * 90),
                s.integer("usage.retention.hour.days", 1, 3650),
                s.bool("rate.limits.enabled"),
                s.integer("rate.limits.sync.millis", 100, 10_000),
                s.integer("metrics.max.keys", 0, 1_000_000),
                s.integer("metrics.max.organizations", 0, 100_000),
                WebhookSettings.from(s),
                new OAuthSettings(
                        s.integer("oauth.token.lifetime.seconds", 60, 86400),
                        s.oneOf("oauth.signing.algorithm", "es256", "rs256").toUpperCase(java.util.Locale.ROOT),
                        s.integer("oauth.signing.rotation.hours", 1, 24 * 365)));
    }

    /**
     * What serving needs beyond a valid configuration (the one-shot {@code migrate} does not): with an external
     * database, the public URL. Links handed out (invitations, password resets) are never built from a request's
     * Host header; the embedded database's default is http://localhost:&lt;port&gt;, while a shared database means a
     * real deployment whose address only the operator knows.
     */
    public KeysmithConfig requireServingSettings() {
        if (!embeddedDatabase() && publicUrl.isEmpty()) {
            throw new ConfigException("Missing setting KEYSMITH_PUBLIC_URL (public.url): required when "
                    + "KEYSMITH_DATABASE_URL is set, so invitation and reset links point at this server's public "
                    + "address (e.g. https://keys.example.com)");
        }
        return this;
    }

    public boolean embeddedDatabase() {
        return databaseUrl.isEmpty();
    }

    private static PgConnectOptions pgUri(String key, String uri) {
        try {
            if (!uri.startsWith("postgresql://") && !uri.startsWith("postgres://")) {
                throw new IllegalArgumentException();
            }
            return PgConnectOptions.fromUri(uri);
        } catch (RuntimeException e) {
            // never echo the value: it may carry a password
            throw ConfigException.invalid(
                    key, null, "must be a URL like postgresql://user:password@host:5432/keysmith");
        }
    }

    private static String headerName(String key, String value) {
        if (!value.matches("[A-Za-z0-9-]{1,64}")) {
            throw ConfigException.invalid(key, value, "must be an HTTP header name such as X-Real-IP");
        }
        return value;
    }

    private static String url(String key, String value) {
        if (!value.matches("https?://[^\\s/]+(/\\S*)?")) {
            throw ConfigException.invalid(key, value, "must be an http(s) URL such as https://keys.example.com");
        }
        return value;
    }

    private static String identifier(Settings s, String key) {
        String v = s.string(key);
        if (!v.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw ConfigException.invalid(key, v, "must be a lower-case PostgreSQL identifier");
        }
        return v;
    }
}
