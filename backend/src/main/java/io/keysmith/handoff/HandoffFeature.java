package io.keysmith.handoff;

import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.keys.KeyRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/** Hand-off links assembled: repository, service (the rules), handlers; the expiry job runs every minute. */
public record HandoffFeature(HandoffService service, HandoffHandlers handlers) {
    static final long EXPIRE_EVERY_MILLIS = 60_000;

    public static HandoffFeature assemble(
            Db db, KeyRepository keys, AuditRepository audit, ClientAddress client, MeterRegistry metrics) {
        HandoffService service =
                new HandoffService(db, new HandoffRepository(), keys, audit, client::publicBase, metrics);
        return new HandoffFeature(service, new HandoffHandlers(service, client));
    }

    /** Deletes expired links' ciphertexts (and audits them) periodically; a failed run is retried by the next. */
    public void startExpiry(Vertx vertx) {
        vertx.setPeriodic(EXPIRE_EVERY_MILLIS, id -> service.expireDue());
    }
}
