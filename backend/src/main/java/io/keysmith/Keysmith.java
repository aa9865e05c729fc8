package io.keysmith;

import io.keysmith.accesslevels.AccessLevelsFeature;
import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditFeature;
import io.keysmith.auth.AuthFeature;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.db.Db;
import io.keysmith.handoff.HandoffFeature;
import io.keysmith.http.ApiVerticle;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Contract;
import io.keysmith.http.Routes;
import io.keysmith.idempotency.Idempotency;
import io.keysmith.idempotency.IdempotencyRepository;
import io.keysmith.keys.KeyRepository;
import io.keysmith.keys.KeysFeature;
import io.keysmith.leaks.LeaksFeature;
import io.keysmith.leastprivilege.LeastPrivilegeFeature;
import io.keysmith.notifications.NotificationsFeature;
import io.keysmith.oauth.OAuthFeature;
import io.keysmith.ops.HealthHandlers;
import io.keysmith.ops.ManagementVerticle;
import io.keysmith.organizations.OrganizationRepository;
import io.keysmith.organizations.OrganizationsFeature;
import io.keysmith.partners.PartnersFeature;
import io.keysmith.people.PeopleFeature;
import io.keysmith.signin.SignInFeature;
import io.keysmith.sso.SsoFeature;
import io.keysmith.usage.UsageFeature;
import io.keysmith.users.UsersFeature;
import io.keysmith.webhooks.WebhooksFeature;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration, then the database ({@link DatabaseBootstrap}), then each feature assembles
 * itself (repository, service, handlers) in dependency order, then the HTTP servers and the {@link BackgroundJobs}.
 * Everything the server is made of is wired here and nowhere else.
 */
public final class Keysmith {
    private static final Logger LOG = LoggerFactory.getLogger(Keysmith.class);

    private final Vertx vertx;
    private final KeysmithConfig config;
    private final DatabaseBootstrap.Prepared database;
    private final Pool pool;
    private final AtomicInteger httpPort;
    private final AtomicInteger managementPort;
    private final BackgroundJobs jobs;

    private Keysmith(
            Vertx vertx,
            KeysmithConfig config,
            DatabaseBootstrap.Prepared database,
            Pool pool,
            AtomicInteger httpPort,
            AtomicInteger managementPort,
            BackgroundJobs jobs) {
        this.vertx = vertx;
        this.config = config;
        this.database = database;
        this.pool = pool;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.jobs = jobs;
    }

    /**
     * Starts a server; {@code overrides} are dotted settings that win over every other source (tests). The result
     * is a plain {@link CompletableFuture}: a failed start closes Vert.x, whose own futures cannot complete then.
     */
    public static CompletableFuture<Keysmith> start(JsonObject overrides) {
        return start(overrides, io.keysmith.keys.KeyVerifier.Hook.NONE);
    }

    /** As {@link #start(JsonObject)}, with the key verifier's test seam (tests that force a load's interleaving). */
    public static CompletableFuture<Keysmith> start(JsonObject overrides, io.keysmith.keys.KeyVerifier.Hook hook) {
        PrometheusMeterRegistry registry = Metrics.registry();
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true))
                        .setFileSystemOptions(new FileSystemOptions()
                                .setFileCacheDir(Path.of(System.getProperty("java.io.tmpdir"), "keysmith-vertx-cache")
                                        .toString())))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        CompletableFuture<Keysmith> result = new CompletableFuture<>();
        AtomicReference<DatabaseBootstrap.Prepared> prepared = new AtomicReference<>();
        KeysmithConfig.load(vertx, overrides)
                .map(KeysmithConfig::requireServingSettings)
                .compose(config -> vertx.executeBlocking(
                                () -> DatabaseBootstrap.prepare(config, config.migrateOnStart()), false)
                        .compose(db -> {
                            prepared.set(db);
                            return wire(vertx, config, registry, db, hook);
                        }))
                .onSuccess(result::complete)
                .onFailure(e -> offEventLoop(() -> {
                    closeVertx(vertx);
                    if (prepared.get() != null) {
                        prepared.get().closeEmbedded();
                    }
                    result.completeExceptionally(e);
                }));
        return result;
    }

    /** Runs the migrations alone and stops: the deployment Job's one-shot command. */
    public static Future<Void> migrateOnly(JsonObject overrides) {
        Vertx vertx = Vertx.vertx();
        return KeysmithConfig.load(vertx, overrides)
                .compose(config -> vertx.executeBlocking(
                        () -> {
                            DatabaseBootstrap.prepare(config, true).closeEmbedded();
                            return null;
                        },
                        false))
                .<Void>mapEmpty()
                .eventually(vertx::close);
    }

    /** The application role's password as {@link DatabaseBootstrap} derives it (tests connect as that role). */
    static String derivedPassword(io.keysmith.config.ServerSecret secret, String role) {
        return DatabaseBootstrap.derivedPassword(secret, role);
    }

    private static Future<Keysmith> wire(
            Vertx vertx,
            KeysmithConfig config,
            PrometheusMeterRegistry registry,
            DatabaseBootstrap.Prepared db,
            io.keysmith.keys.KeyVerifier.Hook hook) {
        Metrics.bindJvm(registry);
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(config.poolSize()).setName("keysmith"))
                .connectingTo(db.target().app())
                .using(vertx)
                .build();
        AtomicInteger httpPort = new AtomicInteger();
        AtomicInteger managementPort = new AtomicInteger();
        // links never come from a request's Host: the configured URL, or the embedded default on the bound port
        java.util.function.Supplier<String> publicUrl =
                config.publicUrl().isEmpty() ? () -> "http://localhost:" + httpPort.get() : config::publicUrl;
        ClientAddress client = new ClientAddress(config.trustedProxies(), publicUrl);
        return Contract.load(vertx)
                .compose(contract -> {
                    JsonObject raw = contract.getRawContract();
                    PermissionCatalog catalog = PermissionCatalog.from(raw);
                    Db database = new Db(pool);
                    // two stateless repositories are read by features assembled before their own
                    OrganizationRepository organizationRepository = new OrganizationRepository();
                    KeyRepository keyRepository = new KeyRepository();

                    AuditFeature audit = AuditFeature.assemble(database, raw);
                    AccessLevelsFeature accessLevels =
                            AccessLevelsFeature.assemble(database, audit.repository(), catalog, client);
                    UsersFeature users = UsersFeature.assemble(
                            vertx,
                            config.smtp(),
                            database,
                            accessLevels.repository(),
                            organizationRepository::current,
                            audit.repository(),
                            client);
                    AuthFeature auth = AuthFeature.assemble(vertx, config, database, pool, db.secret());
                    SignInFeature signIn = SignInFeature.assemble(
                            database,
                            auth,
                            users.repository(),
                            users.service(),
                            organizationRepository::current,
                            accessLevels.repository(),
                            audit.repository(),
                            client,
                            db.secret());
                    OrganizationsFeature organizations = OrganizationsFeature.assemble(
                            config.signUpEnabled(),
                            database,
                            organizationRepository,
                            users,
                            auth,
                            signIn,
                            audit.repository(),
                            client);
                    SsoFeature sso = SsoFeature.assemble(
                            vertx,
                            database,
                            db.secret(),
                            auth,
                            signIn,
                            users.repository(),
                            accessLevels.repository(),
                            audit.repository(),
                            client);
                    PeopleFeature people = PeopleFeature.assemble(database, audit.repository(), client, db.secret());
                    PartnersFeature partners = PartnersFeature.assemble(database, audit.repository(), catalog, client);
                    UsageFeature usage =
                            UsageFeature.assemble(config, database, registry, audit.repository(), keyRepository);
                    KeysFeature keys = KeysFeature.assemble(
                            raw,
                            config,
                            database,
                            db.secret(),
                            keyRepository,
                            users.repository(),
                            accessLevels.repository(),
                            audit.repository(),
                            catalog,
                            usage.supply(),
                            auth.authentication(),
                            client,
                            new io.keysmith.http.RequestValidation(contract),
                            hook);
                    HandoffFeature handoffs =
                            HandoffFeature.assemble(database, keyRepository, audit.repository(), client, registry);
                    LeaksFeature leaks = LeaksFeature.assemble(
                            vertx,
                            config.leaks(),
                            database,
                            db.secret(),
                            keyRepository,
                            audit.repository(),
                            client,
                            registry);
                    // rights changed elsewhere reach this replica's key cache at once; others hear it through NOTIFY
                    leaks.service().onChange(keys.verifier()::invalidate);
                    users.service().onChange(keys.verifier()::invalidate);
                    accessLevels.service().onChange(keys.verifier()::invalidate);
                    // issue 16: the authorization server; from here the verifier accepts its access tokens
                    OAuthFeature oauth = OAuthFeature.assemble(
                            config.oauth(),
                            database,
                            db.secret(),
                            keys.verifier(),
                            audit.repository(),
                            catalog,
                            client);

                    // issue 19: audit events leave through the outbox (V16's trigger) as webhooks, notifications, mail
                    WebhooksFeature webhooks = WebhooksFeature.assemble(
                            vertx, database, config.webhooks(), audit.repository(), client, registry, db.secret());
                    NotificationsFeature notifications =
                            NotificationsFeature.assemble(vertx, database, config.smtp(), publicUrl);

                    HealthHandlers health = new HealthHandlers(pool);
                    Idempotency idempotency = new Idempotency(database, new IdempotencyRepository());
                    Routes.Handlers handlers = new Routes.Handlers(
                            health,
                            keys.format(),
                            signIn.handlers(),
                            organizations.handlers(),
                            users.handlers(),
                            audit.handlers(),
                            accessLevels.handlers(),
                            people.handlers(),
                            keys.handlers(),
                            partners.handlers(),
                            keys.forwardAuth(),
                            usage.handlers(keys.service()),
                            webhooks.handlers(),
                            notifications.handlers(),
                            oauth.handlers(),
                            LeastPrivilegeFeature.assemble(
                                            database, keys.service(), usage.repository(), keys.operations(), client)
                                    .handlers(),
                            handoffs.handlers(),
                            leaks.handlers(),
                            signIn.secondFactors(),
                            sso.handlers());
                    Routes.Security security = new Routes.Security(
                            auth.authentication(),
                            auth.sessions(),
                            auth.operator(),
                            keys.authentication(),
                            keys.operations(),
                            idempotency);
                    BackgroundJobs jobs = BackgroundJobs.start(
                            vertx,
                            config,
                            usage,
                            idempotency,
                            webhooks,
                            notifications,
                            handoffs,
                            oauth,
                            keys.verifier().quotas());
                    Keysmith app = new Keysmith(vertx, config, db, pool, httpPort, managementPort, jobs);
                    return keys.verifier()
                            .listen(vertx, db.target().app())
                            // ADR 0018: secrets an earlier version stored in plain text are sealed before serving
                            .compose(x -> webhooks.service()
                                    .sealPlaintextSecrets()
                                    .onSuccess(n -> {
                                        if (n > 0) {
                                            LOG.info("Sealed the signing secrets of {} webhook endpoints", n);
                                        }
                                    })
                                    .otherwise(e -> {
                                        // deliveries still sign with them, and ask for another sweep when they do
                                        LOG.warn("Could not seal stored webhook signing secrets: {}", e.getMessage());
                                        return 0;
                                    }))
                            .compose(x -> config.webhooks().enabled()
                                    ? webhooks.worker().start(db.target().app())
                                    : Future.succeededFuture())
                            .compose(x -> oauth.start(vertx))
                            .compose(x ->
                                    deployServers(vertx, config, registry, contract, handlers, security, health, app))
                            .map(app);
                })
                .onSuccess(app -> LOG.info(
                        "Keysmith is ready: open http://localhost:{}/ (metrics on port {})",
                        httpPort.get(),
                        managementPort.get()))
                .recover(e -> pool.close().transform(x -> Future.failedFuture(e)));
    }

    /** The API verticle on every core (or {@code instances}), then the management server. */
    private static Future<String> deployServers(
            Vertx vertx,
            KeysmithConfig config,
            PrometheusMeterRegistry registry,
            OpenAPIContract contract,
            Routes.Handlers handlers,
            Routes.Security security,
            HealthHandlers health,
            Keysmith app) {
        int instances = config.instances() > 0
                ? config.instances()
                : Runtime.getRuntime().availableProcessors();
        ApiVerticle.Setup setup = new ApiVerticle.Setup(
                config.httpHost(),
                config.httpPort(),
                config.bodyLimitBytes(),
                config.accessLog(),
                config.shutdownGraceSeconds(),
                contract,
                handlers,
                security,
                app.httpPort);
        return vertx.deployVerticle(() -> new ApiVerticle(setup), new DeploymentOptions().setInstances(instances))
                .compose(id -> vertx.deployVerticle(new ManagementVerticle(
                        config.httpHost(), config.managementPort(), registry, health, app.managementPort)));
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
        return jobs.rollUpUsage();
    }

    /** Deletes expired Idempotency-Key answers now (it also runs every fifteen minutes); the number deleted. */
    public Future<Long> purgeIdempotencyKeys() {
        return jobs.purgeIdempotencyKeys();
    }

    /** Deletes the OAuth deny-list rows of expired tokens now (it also runs every five minutes); the number deleted. */
    public Future<Long> purgeTokenDenyList() {
        return jobs.purgeTokenDenyList();
    }

    /** Raises the due key reminders now (they also run every reminders.every.seconds); the number raised. */
    public Future<Long> raiseKeyReminders() {
        return jobs.raiseKeyReminders();
    }

    /** Seals webhook signing secrets stored in plain text by an earlier version now (also at start-up). */
    public Future<Integer> sealWebhookSecrets() {
        return jobs.sealWebhookSecrets();
    }

    /** Sends (or drops, without SMTP) the due notification mails now; the number handled. */
    public Future<Integer> sendNotificationMails() {
        return jobs.sendNotificationMails();
    }

    /** Deletes the ciphertext of expired hand-off links now (it also runs every minute); the number expired. */
    public Future<Integer> expireHandoffs() {
        return jobs.expireHandoffs();
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
                .transform(x -> jobs.flushFinal().otherwise(e -> null))
                .transform(x -> pool.close())
                .onComplete(x -> offEventLoop(() -> {
                    closeVertx(vertx);
                    database.closeEmbedded();
                    done.complete(null);
                }));
        return done;
    }

    private static void offEventLoop(Runnable r) {
        new Thread(r, "keysmith-stop").start();
    }

    private static void closeVertx(Vertx vertx) {
        vertx.close()
                .toCompletionStage()
                .toCompletableFuture()
                .exceptionally(e -> null)
                .join();
    }
}
