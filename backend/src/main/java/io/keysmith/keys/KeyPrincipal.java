package io.keysmith.keys;

import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import java.util.UUID;

/**
 * A verified key: who it acts for and what it may do, typed; {@code expiresAt} in epoch milliseconds
 * ({@link Long#MAX_VALUE}: never). {@code rights} is shared by every key with the same
 * effective rights (interned), so a cached verdict costs a few references, not a copy of its permissions.
 */
public record KeyPrincipal(
        UUID organizationId,
        UUID keyId,
        UUID ownerId,
        ApiTypes.ApiType apiType,
        KeyRights rights,
        long ratePerMinute,
        long expiresAt,
        String metadataJson,
        java.util.List<KeyUsage.RateLimit> rateLimits,
        Quota quota) {

    /** Issue 20 item 2 (ADR 0015): the key's usage quota setting; {@code epoch} grows with every set. */
    public record Quota(long limit, String period, long epoch) {}

    /** The metadata as forward-auth's {@code X-Keysmith-Metadata} header: base64url of its JSON, no padding. */
    public String metadataHeader() {
        return metadataJson == null
                ? null
                : java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(metadataJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The caller the operation's handler sees: the key's owner, with the key's effective rights. */
    public Caller caller() {
        return new Caller(organizationId, ownerId, rights.rights(), null, keyId);
    }

    /**
     * Effective rights, interned, with what the answers need precomputed once per distinct set: forward-auth's
     * {@code X-Keysmith-Permissions} value and verify's {@code permissions} array as JSON text.
     */
    public record KeyRights(Rights rights, String permissionsHeader, String permissionsJson) {
        static KeyRights of(Rights rights) {
            return new KeyRights(
                    rights,
                    String.join(",", rights.permissions()),
                    new io.vertx.core.json.JsonArray(java.util.List.copyOf(rights.permissions())).encode());
        }

        public boolean has(String permission) {
            return rights.has(permission);
        }
    }
}
