package io.keysmith.keys;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * verify's answer body, written as text instead of built as a JSON tree and encoded (the hot path: issue 12 item
 * 5); the same bytes the tree gave, in the same property order (VerifyAnswerTest compares both). The refusals are a
 * handful of constant bodies.
 */
final class VerifyAnswer {
    private static final Map<String, Buffer> REFUSED = new ConcurrentHashMap<>();

    private VerifyAnswer() {}

    static Buffer refused(String code) {
        return REFUSED.computeIfAbsent(code, c -> Buffer.buffer("{\"valid\":false,\"code\":" + string(c) + "}"))
                .copy();
    }

    /**
     * {@code remaining}: the limit to report (includeRemaining asked and the key is limited), else null;
     * {@code oauthClient}: the key field held an OAuth access token, the answer names its client (issue 16);
     * {@code limits}: a key with named limits (ADR 0021), every limit's state and which refused, else null;
     * {@code quota}: a key with a usage quota (ADR 0015), its state after this verification, else null.
     */
    static Buffer valid(
            boolean allowed,
            String code,
            KeyPrincipal p,
            KeyUsage.Limit remaining,
            boolean oauthClient,
            KeyUsage.Limit limits,
            Quotas.State quota) {
        StringBuilder b = new StringBuilder(320)
                .append("{\"valid\":")
                .append(allowed)
                .append(",\"code\":")
                .append(string(code))
                .append(",\"keyId\":\"")
                .append(p.keyId())
                .append("\",\"organizationId\":\"")
                .append(p.organizationId())
                .append("\",\"ownerId\":\"")
                .append(p.ownerId())
                .append("\",\"apiType\":")
                .append(p.apiType() == null ? "null" : string(p.apiType().name()))
                .append(",\"permissions\":")
                .append(p.rights().permissionsJson());
        if (p.expiresAt() != Long.MAX_VALUE) {
            b.append(",\"expiresAt\":\"")
                    .append(Instant.ofEpochMilli(p.expiresAt()))
                    .append('"');
        }
        if (p.metadataJson() != null) {
            b.append(",\"metadata\":").append(p.metadataJson()); // governance: compact JSON, as Jackson wrote it
        }
        if (remaining != null) {
            b.append(",\"remaining\":")
                    .append(remaining.remaining())
                    .append(",\"limit\":")
                    .append(remaining.limit())
                    .append(",\"resetSeconds\":")
                    .append(remaining.resetSeconds());
        }
        if (limits != null && !limits.named().isEmpty()) {
            RateLimits.answer(b, limits);
        }
        if (quota != null) {
            b.append(",\"quota\":{\"limit\":")
                    .append(quota.limit())
                    .append(",\"period\":\"")
                    .append(quota.period())
                    .append("\",\"remaining\":")
                    .append(quota.remaining());
            if (quota.resetsAt() != null) {
                b.append(",\"resetsAt\":\"").append(quota.resetsAt()).append('"');
            }
            b.append('}');
        }
        if (oauthClient) {
            b.append(",\"credentialKind\":\"OAUTH_CLIENT\",\"clientId\":\"")
                    .append(p.keyId())
                    .append('"');
        }
        return Buffer.buffer(b.append('}').toString());
    }

    /** A JSON string literal: as is for plain ASCII, else as Jackson writes it. */
    static String string(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) {
                return Json.encode(s);
            }
        }
        return "\"" + s + "\"";
    }
}
