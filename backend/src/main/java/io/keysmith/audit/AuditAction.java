package io.keysmith.audit;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every action the audit log records, in one list: openapi.yaml declares the same list as the AuditAction enum (a
 * test fails when they differ) and the SPA has a sentence for each, so no feature can add an action nobody can
 * read. {@link AuditEvent} refuses any other code.
 */
public enum AuditAction {
    ACCESS_LEVEL_CREATED("access-level.created"),
    ACCESS_LEVEL_DELETED("access-level.deleted"),
    ACCESS_LEVEL_UPDATED("access-level.updated"),
    API_KEY_CREATED("api-key.created"),
    API_KEY_DISABLED("api-key.disabled"),
    API_KEY_ENABLED("api-key.enabled"),
    API_KEY_REVOKED("api-key.revoked"),
    API_KEY_ROTATED("api-key.rotated"),
    API_KEY_TRANSFERRED("api-key.transferred"),
    API_KEY_UPDATED("api-key.updated"),
    API_KEY_USED_FROM_NEW_ADDRESS("api-key.used-from-new-address"),
    ORGANIZATION_CREATED("organization.created"),
    PARTNER_CREATED("partner.created"),
    PERSON_CREATED("person.created"),
    PERSON_DELETED("person.deleted"),
    PERSON_UPDATED("person.updated"),
    POLICY_CHANGED("policy.changed"),
    SESSION_SIGN_IN_FAILED("session.sign-in-failed"),
    SESSION_SIGNED_IN("session.signed-in"),
    SESSION_SIGNED_OUT("session.signed-out"),
    USER_CREATED("user.created"),
    USER_DEACTIVATED("user.deactivated"),
    USER_INVITATION_ACCEPTED("user.invitation-accepted"),
    USER_PASSWORD_RESET("user.password-reset"),
    USER_PASSWORD_RESET_ISSUED("user.password-reset-issued"),
    USER_REACTIVATED("user.reactivated"),
    USER_UPDATED("user.updated"),
    KEY_EXPIRING("key.expiring"),
    KEY_EXPIRED("key.expired"),
    KEY_UNUSED("key.unused"),
    WEBHOOK_ENDPOINT_CREATED("webhook-endpoint.created"),
    WEBHOOK_ENDPOINT_UPDATED("webhook-endpoint.updated"),
    WEBHOOK_ENDPOINT_DELETED("webhook-endpoint.deleted"),
    WEBHOOK_ENDPOINT_SECRET_ROTATED("webhook-endpoint.secret-rotated"),
    WEBHOOK_ENDPOINT_DISABLED("webhook-endpoint.disabled"),
    OAUTH_CLIENT_CREATED("oauth_client.created"),
    OAUTH_CLIENT_TOKEN_REVOKED("oauth_client.token_revoked"),
    API_KEY_REDUCED_TO_USED("api-key.reduced-to-used"),
    API_KEY_REDUCTION_UNDONE("api-key.reduction-undone");

    private static final Map<String, AuditAction> BY_CODE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(AuditAction::code, Function.identity()));

    private final String code;

    AuditAction(String code) {
        this.code = code;
    }

    /** The stored and published form, e.g. {@code api-key.revoked}. */
    public String code() {
        return code;
    }

    /** The action of a code; an unlisted code is a programming error (add it here, to the contract and the SPA). */
    public static AuditAction of(String code) {
        AuditAction a = BY_CODE.get(code);
        if (a == null) {
            throw new IllegalArgumentException("Audit action '" + code + "' is not in AuditAction: add it there, to"
                    + " openapi.yaml's AuditAction enum and to the SPA's sentences");
        }
        return a;
    }
}
