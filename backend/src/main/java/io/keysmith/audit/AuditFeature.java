package io.keysmith.audit;

import io.keysmith.db.Db;

/** The audit log assembled: its repository (every feature appends through it) and the read endpoint. */
public record AuditFeature(AuditRepository repository, AuditHandlers handlers) {
    public static AuditFeature assemble(Db db) {
        AuditRepository repository = new AuditRepository();
        return new AuditFeature(repository, new AuditHandlers(new AuditService(db, repository)));
    }
}
