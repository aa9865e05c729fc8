package io.keysmith.webhooks;

import io.keysmith.audit.AuditRepository;
import io.keysmith.config.ServerSecret;
import io.keysmith.config.WebhookSettings;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/** Webhooks assembled: endpoints (repository, service, handlers) and this replica's delivery worker. */
public record WebhooksFeature(WebhookService service, WebhookHandlers handlers, DeliveryWorker worker) {
    public static WebhooksFeature assemble(
            Vertx vertx,
            Db db,
            WebhookSettings settings,
            AuditRepository audit,
            ClientAddress client,
            MeterRegistry registry,
            ServerSecret secret) {
        SsrfGuard guard = new SsrfGuard(settings.allowHttp(), settings.allowPrivate());
        SigningSecrets secrets = new SigningSecrets(secret);
        WebhookService service = new WebhookService(vertx, db, new WebhookRepository(), audit, guard, secrets);
        return new WebhooksFeature(
                service,
                new WebhookHandlers(service, client),
                new DeliveryWorker(
                        vertx, db.pool(), settings, guard, registry, secrets, service::sealPlaintextSecretsSoon));
    }
}
