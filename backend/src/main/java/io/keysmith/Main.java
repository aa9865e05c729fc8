package io.keysmith;

import io.keysmith.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line: {@code java -jar keysmith.jar [--config FILE]} serves; {@code java -jar keysmith.jar migrate} applies
 * the database migrations and exits (the deployment Job). SIGTERM stops gracefully.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        JsonObject overrides = new JsonObject();
        boolean migrateOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "migrate" -> migrateOnly = true;
                case "--demo" -> overrides.put("demo", true);
                case "--config" -> overrides.put("config.file", args[++i]);
                case "--help", "-h" -> {
                    System.out.println(
                            "usage: keysmith [migrate] [--config FILE] [--demo]   (settings: see README.md)");
                    return;
                }
                default -> fail("Unknown argument '" + args[i] + "' (try --help)");
            }
        }
        try {
            if (migrateOnly) {
                await(Keysmith.migrateOnly(overrides).toCompletionStage().toCompletableFuture());
                LOG.info("Migrations done");
                return;
            }
            Keysmith app = await(Keysmith.start(overrides));
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                LOG.info("Stopping: finishing in-flight requests");
                                try {
                                    app.stop().get(app.config().shutdownGraceSeconds() + 30L, TimeUnit.SECONDS);
                                    LOG.info("Stopped");
                                } catch (Exception e) {
                                    LOG.error("Unclean stop: {}", e.toString());
                                }
                            },
                            "keysmith-shutdown"));
        } catch (ConfigException e) {
            fail(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Keysmith could not start: {}", e.getMessage(), e);
            System.exit(1);
        }
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static void fail(String message) {
        System.err.println("keysmith: " + message);
        System.exit(2);
    }
}
