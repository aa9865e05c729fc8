package io.keysmith.audit;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.UUID;

/** Reading the audit log: the caller's organization only, newest first, keyset-paginated. */
public final class AuditService {
    private final Db db;
    private final AuditRepository audit;

    public AuditService(Db db, AuditRepository audit) {
        this.db = db;
        this.audit = audit;
    }

    /** Up to {@code limit} events older than {@code beforeId} (null: the newest), filtered by action and actor. */
    public Future<JsonArray> list(Caller caller, String action, UUID actor, Long beforeId, int limit) {
        return db.inOrganization(caller.organizationId(), c -> audit.list(c, action, actor, beforeId, limit));
    }
}
