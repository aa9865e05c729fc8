package io.keysmith;

import io.keysmith.config.ConfigException;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.DatabaseTarget;
import io.keysmith.db.EmbeddedPostgres;
import io.keysmith.db.Migrations;
import io.keysmith.demo.DemoSeed;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Before anything serves: the server secret, the database (embedded or external), its app role, migrations. */
final class DatabaseBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseBootstrap.class);

    /** A database ready for the app role; {@code embedded} null for an external one. */
    record Prepared(EmbeddedPostgres embedded, DatabaseTarget target, ServerSecret secret) {
        void closeEmbedded() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private DatabaseBootstrap() {}

    /** Blocking: starts the embedded PostgreSQL when no URL is set, creates the app role and migrates. */
    static Prepared prepare(KeysmithConfig config, boolean migrate) {
        // ICU's confusable data takes seconds to load on first use: here on a worker, never on an event loop
        io.keysmith.http.Names.confusableKey("warm-up");
        ServerSecret secret = secret(config);
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
        Prepared prepared = new Prepared(embedded, target, secret);
        try {
            if (migrate) {
                Migrations.run(target);
            }
            if (config.demo()) {
                DemoSeed.run(target, config.dataDir());
            }
        } catch (RuntimeException e) {
            prepared.closeEmbedded();
            throw e;
        }
        return prepared;
    }

    private static ServerSecret secret(KeysmithConfig config) {
        if (config.secret().isPresent()) {
            return ServerSecret.parse(config.secret().get());
        }
        if (config.embeddedDatabase()) {
            return ServerSecret.loadOrCreate(config.dataDir().resolve("secret"));
        }
        throw new ConfigException(
                "Missing setting KEYSMITH_SECRET (secret): required when KEYSMITH_DATABASE_URL is set, so every "
                        + "replica hashes keys with the same secret");
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
}
