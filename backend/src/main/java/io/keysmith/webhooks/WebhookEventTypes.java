package io.keysmith.webhooks;

import io.keysmith.audit.AuditAction;
import java.util.Arrays;
import java.util.List;

/**
 * The event types an endpoint may subscribe to: the audit actions about credentials and webhooks themselves, taken
 * from {@link AuditAction} so that an action another feature adds (key.leaked, handoff.revealed, credential.approved,
 * oauth-client.created ...) is deliverable as soon as it is listed there. Sign-ins and people records never leave.
 */
public final class WebhookEventTypes {
    private static final List<String> PREFIXES = List.of(
            "api-key.", "key.", "credential.", "handoff.", "oauth-client.", "oauth_client.", "webhook-endpoint.");

    /** A test send's type: never an audit action, sent only to the endpoint it was asked for. */
    public static final String TEST = "webhook.test";

    private WebhookEventTypes() {}

    public static List<String> all() {
        return Arrays.stream(AuditAction.values())
                .map(AuditAction::code)
                .filter(c -> PREFIXES.stream().anyMatch(c::startsWith))
                .sorted()
                .toList();
    }

    public static boolean known(String type) {
        return all().contains(type);
    }
}
