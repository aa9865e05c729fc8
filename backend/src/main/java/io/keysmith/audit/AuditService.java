package io.keysmith.audit;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Invalid;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import java.util.function.Function;

/** Reading the audit log: the caller's organization only, newest first, keyset-paginated or exported whole. */
public final class AuditService {
    private final Db db;
    private final AuditRepository audit;

    public AuditService(Db db, AuditRepository audit) {
        this.db = db;
        this.audit = audit;
    }

    /** Up to {@code limit} events older than {@code beforeId} (null: the newest) that match {@code q}. */
    public Future<JsonArray> list(Caller caller, AuditQuery q, Long beforeId, int limit) {
        check(q);
        return db.inOrganization(caller.organizationId(), c -> audit.list(c, q, beforeId, limit, namesPeople(caller)));
    }

    /** Streams every event matching {@code q} to {@code out}; see {@link AuditRepository#stream}. */
    public Future<Void> export(
            Caller caller,
            AuditQuery q,
            WriteStream<Buffer> out,
            Runnable started,
            Function<JsonObject, Buffer> encode) {
        check(q);
        return db.inOrganization(
                caller.organizationId(), c -> audit.stream(c, q, namesPeople(caller), out, started, encode));
    }

    /**
     * Whether events about people records name the person: only for a reader who may view both name fields of every
     * record (the names are field-protected data; a reader limited to their own record, or without view rights on a
     * name, reads "a person record" as before).
     */
    static boolean namesPeople(Caller caller) {
        return caller.rights().allRecords()
                && caller.rights().canView("firstName")
                && caller.rights().canView("lastName");
    }

    private static void check(AuditQuery q) {
        if (q.from() != null && q.to() != null && !q.from().isBefore(q.to())) {
            throw new Invalid("from", "Parameter 'from' must be before 'to'");
        }
    }
}
