package io.keysmith.audit;

import io.keysmith.db.Db;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** The audit log assembled: its repository (every feature appends through it) and the read endpoints. */
public record AuditFeature(AuditRepository repository, AuditHandlers handlers) {
    /** {@code contract}: the raw openapi.yaml, for the API types' titles (x-api-types) that key events show. */
    public static AuditFeature assemble(Db db, JsonObject contract) {
        Map<String, String> titles = new HashMap<>();
        contract.getJsonArray("x-api-types").forEach(o -> {
            JsonObject t = (JsonObject) o;
            titles.put(t.getString("name"), t.getString("title"));
        });
        AuditRepository repository = new AuditRepository(titles);
        return new AuditFeature(repository, new AuditHandlers(new AuditService(db, repository)));
    }
}
