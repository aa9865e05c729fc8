package io.keysmith.audit;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One security-relevant action: who (user id, or a label such as "operator" or an e-mail that failed to sign in),
 * what, on which object, from where. Details never hold secrets or sensitive values.
 */
public record AuditEvent(
        UUID actorUserId,
        String actorLabel,
        String action,
        String targetType,
        String targetId,
        String sourceAddress,
        JsonObject details) {

    public static AuditEvent by(UUID actor, String action, String targetType, Object targetId, String source) {
        return new AuditEvent(
                actor,
                null,
                action,
                targetType,
                targetId == null ? null : targetId.toString(),
                source,
                new JsonObject());
    }

    public AuditEvent with(String key, Object value) {
        details.put(key, value);
        return this;
    }

    public AuditEvent label(String label) {
        return new AuditEvent(actorUserId, label, action, targetType, targetId, sourceAddress, details);
    }
}
