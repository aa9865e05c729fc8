package io.keysmith.leaks;

import io.keysmith.audit.AuditRepository;
import io.keysmith.config.LeakSettings;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.keys.KeyHasher;
import io.keysmith.keys.KeyRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/** Leak response assembled: GitHub's keys, the repository, the service (the rules), the handlers. */
public record LeaksFeature(LeakService service, LeakHandlers handlers) {
    public static LeaksFeature assemble(
            Vertx vertx,
            LeakSettings settings,
            Db db,
            ServerSecret secret,
            KeyRepository keys,
            AuditRepository audit,
            ClientAddress client,
            MeterRegistry metrics) {
        LeakService service = new LeakService(db, new LeakRepository(), keys, new KeyHasher(secret), audit, metrics);
        GitHubKeys github = new GitHubKeys(vertx, settings.githubKeysUrl(), settings.githubKeysFile());
        return new LeaksFeature(service, new LeakHandlers(service, github, client, settings.revocationsPerMinute()));
    }
}
