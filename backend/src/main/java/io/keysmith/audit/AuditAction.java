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
    API_KEY_REDUCTION_UNDONE("api-key.reduction-undone"),
    KEY_LEAKED("key.leaked"),
    HANDOFF_CREATED("handoff.created"),
    HANDOFF_REVEALED("handoff.revealed"),
    HANDOFF_EXPIRED("handoff.expired"),
    HANDOFF_WITHDRAWN("handoff.withdrawn"),
    CREDENTIAL_APPROVAL_REQUESTED("credential.approval_requested"),
    CREDENTIAL_APPROVED("credential.approved"),
    CREDENTIAL_DENIED("credential.denied"),
    SESSION_SECOND_FACTOR_FAILED("session.second-factor-failed"),
    SESSION_STEPPED_UP("session.stepped-up"),
    USER_SECOND_FACTOR_ENROLLED("user.second-factor-enrolled"),
    USER_SECOND_FACTOR_REMOVED("user.second-factor-removed"),
    USER_SECOND_FACTORS_RESET("user.second-factors-reset"),
    USER_RECOVERY_CODE_USED("user.recovery-code-used"),
    SIGN_IN_POLICY_CHANGED("sign-in-policy.changed"),
    SSO_SETTINGS_CHANGED("sso.settings-changed"),
    SESSION_SSO_SIGNED_IN("session.sso-signed-in"),
    SESSION_SSO_SIGN_IN_FAILED("session.sso-sign-in-failed"),
    USER_SSO_PROVISIONED("user.sso-provisioned"),
    USER_PASSKEY_RENAMED("user.passkey-renamed"),
    USER_PASSKEY_CLONE_WARNING("user.passkey-clone-warning");

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
