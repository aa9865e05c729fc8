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

    /** Only listed actions can be recorded: a feature cannot write one the contract and the SPA do not know. */
    public AuditEvent {
        AuditAction.of(action);
    }

    public static AuditEvent by(UUID actor, AuditAction action, String targetType, Object targetId, String source) {
        return by(actor, action.code(), targetType, targetId, source);
    }

    /** The names (never the values) of the fields a change touched, sorted: what the log shows as "changed". */
    public AuditEvent changed(java.util.Collection<String> fieldNames) {
        return with(
                "fields",
                new io.vertx.core.json.JsonArray(fieldNames.stream().sorted().toList()));
    }

    /** Of {@code names}, those whose value differs between the two states (a PUT carries unchanged fields too). */
    public static java.util.List<String> differing(JsonObject before, JsonObject after, Iterable<String> names) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String n : names) {
            if (!java.util.Objects.equals(before.getValue(n), after.getValue(n))) {
                out.add(n);
            }
        }
        return out;
    }

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
