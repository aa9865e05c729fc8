package io.keysmith;

import io.keysmith.accesslevels.AccessLevelHandlers;
import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.accesslevels.AccessLevelService;
import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditHandlers;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.OperatorAuthentication;
import io.keysmith.auth.PasswordHasher;
import io.keysmith.auth.PasswordSalts;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.auth.SessionHandlers;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInService;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.config.ConfigException;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.db.DatabaseTarget;
import io.keysmith.db.Db;
import io.keysmith.db.EmbeddedPostgres;
import io.keysmith.db.Migrations;
import io.keysmith.demo.DemoSeed;
import io.keysmith.http.ApiVerticle;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Contract;
import io.keysmith.http.Routes;
import io.keysmith.keys.ApiTypes;
import io.keysmith.keys.ForwardAuthHandlers;
import io.keysmith.keys.KeyAuthHandler;
import io.keysmith.keys.KeyFormatHandlers;
import io.keysmith.keys.KeyHandlers;
import io.keysmith.keys.KeyHasher;
import io.keysmith.keys.KeyOperations;
import io.keysmith.keys.KeyRepository;
import io.keysmith.keys.KeyService;
import io.keysmith.keys.KeyVerifier;
import io.keysmith.keys.ServerSecret;
import io.keysmith.ops.HealthHandlers;
import io.keysmith.ops.ManagementVerticle;
import io.keysmith.organizations.OrganizationHandlers;
import io.keysmith.organizations.OrganizationRepository;
import io.keysmith.organizations.OrganizationService;
import io.keysmith.partners.PartnerHandlers;
import io.keysmith.partners.PartnerRepository;
import io.keysmith.people.PeopleHandlers;
import io.keysmith.people.PeopleRepository;
import io.keysmith.people.PeopleService;
import io.keysmith.usage.KeyMetrics;
import io.keysmith.usage.KeyUsageSupply;
import io.keysmith.usage.RateLimitExchange;
import io.keysmith.usage.RateLimitRepository;
import io.keysmith.usage.RateLimiter;
import io.keysmith.usage.UsageHandlers;
import io.keysmith.usage.UsageMeter;
import io.keysmith.usage.UsageRepository;
import io.keysmith.usage.UsageRetention;
import io.keysmith.users.LinkMailer;
import io.keysmith.users.UserHandlers;
import io.keysmith.users.UserRepository;
import io.keysmith.users.UserService;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration, then the database, then repositories, services and handlers, then the HTTP
 * servers. Everything the server is made of is wired here and nowhere else.
 */
public final class Keysmith {
    private static final Logger LOG = LoggerFactory.getLogger(Keysmith.class);

    private final Vertx vertx;
    private final KeysmithConfig config;
    private final EmbeddedPostgres embedded;
    private final Pool pool;
    private final AtomicInteger httpPort;
    private final AtomicInteger managementPort;
    /** Set once wired; flushed last on a graceful stop. */
    private volatile UsageMeter usage;

    private volatile UsageRetention retention;

    private Keysmith(
            Vertx vertx,
            KeysmithConfig config,
            EmbeddedPostgres embedded,
            Pool pool,
            AtomicInteger httpPort,
            AtomicInteger managementPort) {
        this.vertx = vertx;
        this.config = config;
        this.embedded = embedded;
        this.pool = pool;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    /**
     * Starts a server; {@code overrides} are dotted settings that win over every other source (tests). The result
     * is a plain {@link CompletableFuture}: a failed start closes Vert.x, whose own futures cannot complete then.
     */
    public static CompletableFuture<Keysmith> start(JsonObject overrides) {
        return start(overrides, KeyVerifier.Hook.NONE);
    }

    /** As {@link #start(JsonObject)}, with the key verifier's test seam (tests that force a load's interleaving). */
    public static CompletableFuture<Keysmith> start(JsonObject overrides, KeyVerifier.Hook verifierHook) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // HTTP latency as a histogram, so operators (and the chart's alert) can take a p99
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id,
                    io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
                if (id.getName().equals("vertx.http.server.response.time")) {
                    return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
                            .percentilesHistogram(true)
                            .minimumExpectedValue(100_000.0)
                            .maximumExpectedValue(10_000_000_000.0)
                            .build()
                            .merge(config);
                }
                return config;
            }
        });
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true))
                        .setFileSystemOptions(new FileSystemOptions()
                                .setFileCacheDir(Path.of(System.getProperty("java.io.tmpdir"), "keysmith-vertx-cache")
                                        .toString())))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        CompletableFuture<Keysmith> result = new CompletableFuture<>();
        AtomicReference<PreparedDatabase> prepared = new AtomicReference<>();
        KeysmithConfig.load(vertx, overrides)
                .map(KeysmithConfig::requireServingSettings)
                .compose(config -> vertx.executeBlocking(() -> prepareDatabase(config, config.migrateOnStart()), false)
                        .compose(db -> {
                            prepared.set(db);
                            return wire(vertx, config, registry, db, verifierHook);
                        }))
                .onSuccess(result::complete)
                .onFailure(e -> offEventLoop(() -> {
                    vertx.close()
                            .toCompletionStage()
                            .toCompletableFuture()
                            .exceptionally(x -> null)
                            .join();
                    if (prepared.get() != null && prepared.get().embedded() != null) {
                        prepared.get().embedded().close();
                    }
                    result.completeExceptionally(e);
                }));
        return result;
    }

    private static void offEventLoop(Runnable r) {
        Thread t = new Thread(r, "keysmith-stop");
        t.start();
    }

    /** Runs the migrations alone and stops: the deployment Job's one-shot command. */
    public static Future<Void> migrateOnly(JsonObject overrides) {
        Vertx vertx = Vertx.vertx();
        return KeysmithConfig.load(vertx, overrides)
                .compose(config -> vertx.executeBlocking(
                        () -> {
                            PreparedDatabase db = prepareDatabase(config, true);
                            if (db.embedded() != null) {
                                db.embedded().close();
                            }
                            return null;
                        },
                        false))
                .<Void>mapEmpty()
                .eventually(vertx::close);
    }

    private record PreparedDatabase(EmbeddedPostgres embedded, DatabaseTarget target, ServerSecret secret) {}

    /** Blocking: starts the embedded PostgreSQL when no URL is set, creates the app role and migrates. */
    private static PreparedDatabase prepareDatabase(KeysmithConfig config, boolean migrate) {
        // ICU's confusable data takes seconds to load on first use: here on a worker, never on an event loop
        io.keysmith.http.Names.confusableKey("warm-up");
        ServerSecret secret;
        if (config.secret().isPresent()) {
            secret = ServerSecret.parse(config.secret().get());
        } else if (config.embeddedDatabase()) {
            secret = ServerSecret.loadOrCreate(config.dataDir().resolve("secret"));
        } else {
            throw new ConfigException(
                    "Missing setting KEYSMITH_SECRET (secret): required when KEYSMITH_DATABASE_URL is set, so every "
                            + "replica hashes keys with the same secret");
        }
        String appPassword = config.appPassword().orElseGet(() -> derivedPassword(secret, config.appUser()));
        EmbeddedPostgres embedded = null;
        DatabaseTarget target;
        if (config.embeddedDatabase()) {
            embedded = EmbeddedPostgres.start(config.dataDir());
            PgConnectOptions owner = new PgConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(embedded.port())
                    .setDatabase(EmbeddedPostgres.DATABASE)
                    .setUser(EmbeddedPostgres.SUPERUSER)
                    .setPassword(embedded.password());
            target = DatabaseTarget.of(
                    owner, config.appUser(), appPassword, "embedded PostgreSQL at 127.0.0.1:" + embedded.port());
        } else {
            PgConnectOptions url = config.databaseUrl().get();
            PgConnectOptions owner = config.migrationUrl().orElse(url);
            target = DatabaseTarget.of(
                    owner,
                    config.appUser(),
                    appPassword,
                    "external PostgreSQL at " + url.getHost() + ":" + url.getPort() + "/" + url.getDatabase());
        }
        LOG.info("Database: {}", target);
        try {
            if (migrate) {
                Migrations.run(target);
            }
            if (config.demo()) {
                DemoSeed.run(target, config.dataDir());
            }
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
        return new PreparedDatabase(embedded, target, secret);
    }

    /** The application role's password, unless configured: derived from the server secret, so no extra secret. */
    static String derivedPassword(ServerSecret secret, String role) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.current().key(), "HmacSHA256"));
            byte[] out = mac.doFinal(("keysmith database role " + role).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Future<Keysmith> wire(
            Vertx vertx,
            KeysmithConfig config,
            PrometheusMeterRegistry registry,
            PreparedDatabase db,
            KeyVerifier.Hook verifierHook) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(config.poolSize()).setName("keysmith"))
                .connectingTo(db.target().app())
                .using(vertx)
                .build();
        AtomicInteger httpPort = new AtomicInteger();
        AtomicInteger managementPort = new AtomicInteger();
        int instances = config.instances() > 0
                ? config.instances()
                : Runtime.getRuntime().availableProcessors();
        Keysmith app = new Keysmith(vertx, config, db.embedded(), pool, httpPort, managementPort);
        return Contract.load(vertx)
                .compose(contract -> {
                    PermissionCatalog catalog = PermissionCatalog.from(contract.getRawContract());
                    // repositories
                    Db database = new Db(pool);
                    AuditRepository auditRepository = new AuditRepository();
                    UserRepository userRepository = new UserRepository();
                    OrganizationRepository organizationRepository = new OrganizationRepository();
                    AccessLevelRepository accessLevelRepository = new AccessLevelRepository();
                    PeopleRepository peopleRepository = new PeopleRepository();
                    // services
                    // links never come from a request's Host: the configured URL, or the embedded default on the bound
                    // port
                    ClientAddress client = new ClientAddress(
                            config.trustedProxies(),
                            config.publicUrl().isEmpty()
                                    ? () -> "http://localhost:" + httpPort.get()
                                    : config::publicUrl);
                    PasswordHasher hasher = new PasswordHasher(
                            vertx,
                            config.passwordHashingThreads(),
                            config.passwordHashingAddressBurst(),
                            config.passwordHashingAddressPerSecond());
                    SessionService sessions = new SessionService(
                            database,
                            db.secret(),
                            Duration.ofMinutes(config.sessionIdleMinutes()),
                            Duration.ofHours(config.sessionAbsoluteHours()));
                    SignInThrottle throttle = new SignInThrottle(
                            pool,
                            config.signInLimitPerAccount(),
                            config.signInLimitPerAddress(),
                            config.signInAttemptsPerAddress(),
                            Duration.ofSeconds(config.signInWindowSeconds()),
                            new SignInThrottle.SignUpLimits(
                                    config.signUpLimitPerAddress(),
                                    config.signUpLimitPerEmail(),
                                    Duration.ofSeconds(config.signUpWindowSeconds())));
                    PasswordSalts salts = new PasswordSalts(pool, db.secret());
                    SignInService signIn = new SignInService(
                            database,
                            hasher,
                            salts,
                            sessions,
                            throttle,
                            userRepository,
                            organizationRepository,
                            accessLevelRepository,
                            auditRepository);
                    LinkMailer mailer = LinkMailer.create(vertx, config.smtp());
                    UserService users = new UserService(
                            database,
                            userRepository,
                            accessLevelRepository,
                            organizationRepository,
                            auditRepository,
                            mailer);
                    OrganizationService organizations = new OrganizationService(
                            database,
                            config.signUpEnabled(),
                            hasher,
                            salts,
                            throttle,
                            mailer,
                            organizationRepository,
                            users,
                            sessions,
                            signIn,
                            auditRepository);
                    AccessLevelService accessLevels =
                            new AccessLevelService(database, accessLevelRepository, auditRepository, catalog);
                    PeopleService people = new PeopleService(database, peopleRepository, auditRepository);
                    ApiTypes apiTypes = ApiTypes.from(contract.getRawContract());
                    KeyRepository keyRepository = new KeyRepository();
                    KeyHasher keyHasher = new KeyHasher(db.secret());
                    KeyService keys = new KeyService(
                            database,
                            keyRepository,
                            userRepository,
                            accessLevelRepository,
                            auditRepository,
                            keyHasher,
                            apiTypes,
                            catalog);
                    RateLimiter limiter = new RateLimiter(config.rateLimits());
                    KeyMetrics keyMetrics =
                            new KeyMetrics(registry, config.metricsMaxOrganizations(), config.metricsMaxKeys());
                    UsageRepository usageRepository = new UsageRepository();
                    UsageMeter usage = new UsageMeter(
                            database,
                            auditRepository,
                            registry,
                            config.usageMaxBuckets(),
                            config.usageMetering(),
                            Duration.ofHours(config.usageMinuteRetentionHours()));
                    usage.start(vertx, config.usageFlushSeconds() * 1000L);
                    app.usage = usage;
                    app.retention = new UsageRetention(
                            database,
                            usageRepository,
                            Duration.ofHours(config.usageMinuteRetentionHours()),
                            Duration.ofDays(config.usageHourRetentionDays()),
                            registry);
                    app.retention.start(vertx, Duration.ofMinutes(10).toMillis());
                    if (config.rateLimits()) {
                        new RateLimitExchange(
                                        database,
                                        new RateLimitRepository(),
                                        limiter,
                                        usage.replica(),
                                        config.rateLimitSyncMillis(),
                                        registry)
                                .start(vertx, config.rateLimitSyncMillis());
                    }
                    // the key cache is bounded by memory: an eighth of the heap, at most 128 MiB
                    long keyCacheBytes =
                            Math.min(128L << 20, Runtime.getRuntime().maxMemory() / 8);
                    KeyVerifier keyVerifier = new KeyVerifier(
                            database,
                            keyRepository,
                            keyHasher,
                            apiTypes,
                            Duration.ofSeconds(config.keyCacheTtlSeconds()),
                            keyCacheBytes,
                            config.keyFailuresPerMinute(),
                            new KeyUsageSupply(limiter, usage, keyMetrics),
                            verifierHook);
                    // a change committed here reaches this replica's key cache at once; others hear it through NOTIFY
                    keys.onChange(keyVerifier::invalidate);
                    users.onChange(keyVerifier::invalidate);
                    accessLevels.onChange(keyVerifier::invalidate);
                    KeyOperations keyOperations = KeyOperations.from(contract.getRawContract(), apiTypes);
                    SessionAuthentication sessionAuthentication = new SessionAuthentication(sessions);
                    KeyAuthHandler keyAuthHandler = new KeyAuthHandler(keyVerifier, sessionAuthentication, client);
                    Routes.Security security = new Routes.Security(
                            sessionAuthentication,
                            sessions,
                            new OperatorAuthentication(config.operatorToken().orElse("")),
                            keyAuthHandler,
                            keyOperations);
                    // handlers
                    HealthHandlers health = new HealthHandlers(pool);
                    SessionHandlers sessionHandlers = new SessionHandlers(signIn, sessions, client);
                    Routes.Handlers handlers = new Routes.Handlers(
                            health,
                            new KeyFormatHandlers(),
                            sessionHandlers,
                            new OrganizationHandlers(organizations, sessionHandlers, client),
                            new UserHandlers(users, client),
                            new AuditHandlers(database, auditRepository),
                            new AccessLevelHandlers(accessLevels, catalog, client),
                            new PeopleHandlers(
                                    people,
                                    client,
                                    new io.keysmith.http.Cursors(db.secret().versions().stream()
                                            .map(ServerSecret.Version::key)
                                            .toList())),
                            new KeyHandlers(keys, apiTypes, client, keyVerifier),
                            new PartnerHandlers(database, new PartnerRepository(), auditRepository, catalog, client),
                            new ForwardAuthHandlers(
                                    keyOperations,
                                    keyVerifier,
                                    keyAuthHandler,
                                    client,
                                    config.gatewayCidrs(),
                                    config.gatewayClientAddressHeader(),
                                    new io.keysmith.http.RequestValidation(contract)),
                            new UsageHandlers(database, usageRepository, keys));

                    ApiVerticle.Setup setup = new ApiVerticle.Setup(
                            config.httpHost(),
                            config.httpPort(),
                            config.bodyLimitBytes(),
                            config.accessLog(),
                            config.shutdownGraceSeconds(),
                            contract,
                            handlers,
                            security,
                            httpPort);
                    return keyVerifier
                            .listen(vertx, db.target().app())
                            .compose(x -> vertx.deployVerticle(
                                    () -> new ApiVerticle(setup), new DeploymentOptions().setInstances(instances)))
                            .compose(id -> vertx.deployVerticle(new ManagementVerticle(
                                    config.httpHost(), config.managementPort(), registry, health, managementPort)));
                })
                .map(id -> {
                    LOG.info(
                            "Keysmith is ready: open http://localhost:{}/ (metrics on port {})",
                            httpPort.get(),
                            managementPort.get());
                    return app;
                })
                .recover(e -> pool.close().transform(x -> Future.failedFuture(e)));
    }

    public int httpPort() {
        return httpPort.get();
    }

    public int managementPort() {
        return managementPort.get();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Runs the usage roll-up now (it also runs every ten minutes); the number of minute rows merged. */
    public Future<Long> rollUpUsage() {
        return retention.run();
    }

    public KeysmithConfig config() {
        return config;
    }

    /**
     * Graceful stop: servers stop accepting and finish in-flight requests (undeploy), then the pool closes, then
     * Vert.x, then the embedded database shuts down with a checkpoint.
     */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
                // servers are closed: every answered request is counted; write the counts before the pool goes
                .transform(x -> usage == null
                        ? Future.succeededFuture()
                        : usage.flushFinal().otherwise(e -> null))
                .transform(x -> pool.close())
                .onComplete(x -> offEventLoop(() -> {
                    vertx.close()
                            .toCompletionStage()
                            .toCompletableFuture()
                            .exceptionally(e -> null)
                            .join();
                    if (embedded != null) {
                        embedded.close();
                    }
                    done.complete(null);
                }));
        return done;
    }
}
