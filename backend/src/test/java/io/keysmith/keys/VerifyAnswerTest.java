package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.auth.Rights;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("verify's answer written directly is byte for byte the JSON tree's encoding")
class VerifyAnswerTest {

    /** The answer as KeyHandlers built it before it was written directly. */
    private static String tree(boolean allowed, String code, KeyPrincipal p, KeyUsage.Limit limit) {
        JsonObject answer = new JsonObject()
                .put("valid", allowed)
                .put("code", code)
                .put("keyId", p.keyId().toString())
                .put("organizationId", p.organizationId().toString())
                .put("ownerId", p.ownerId().toString())
                .put("apiType", p.apiType() == null ? null : p.apiType().name())
                .put(
                        "permissions",
                        new JsonArray(List.copyOf(p.rights().rights().permissions())));
        if (p.expiresAt() != Long.MAX_VALUE) {
            answer.put(
                    "expiresAt", java.time.Instant.ofEpochMilli(p.expiresAt()).toString());
        }
        if (p.metadataJson() != null) {
            answer.put("metadata", new JsonObject(p.metadataJson()));
        }
        if (limit != null) {
            answer.put("remaining", limit.remaining())
                    .put("limit", limit.limit())
                    .put("resetSeconds", limit.resetSeconds());
        }
        return answer.encode();
    }

    private static KeyPrincipal principal(String type, Set<String> permissions, long expiresAt) {
        return principal(type, permissions, expiresAt, null);
    }

    private static KeyPrincipal principal(String type, Set<String> permissions, long expiresAt, JsonObject metadata) {
        ApiTypes.ApiType apiType = type == null ? null : new ApiTypes.ApiType(type, "T", Set.of(), 60, Set.of());
        Rights rights = new Rights("EMPLOYEE", "ALL", Map.of(), new TreeSet<>(permissions));
        return new KeyPrincipal(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                apiType,
                KeyPrincipal.KeyRights.of(rights),
                60,
                expiresAt,
                metadata == null ? null : metadata.encode(),
                List.of(),
                null);
    }

    @Test
    @DisplayName("valid, refused codes, with and without expiry, remaining, API type and permissions")
    void sameBytesAsTheTree() {
        KeyUsage.Limit limit = new KeyUsage.Limit(true, 100, 60, 42, 17, 0);
        for (KeyPrincipal p : List.of(
                principal("PEOPLE", Set.of("people:read", "people:create"), Long.MAX_VALUE),
                principal("PEOPLE", Set.of(), 1_767_225_600_123L),
                principal(null, Set.of("audit:read"), 0L),
                principal("we\"ird\\type\u00e9\n", Set.of("a:b", "quote\":x"), 86_400_000L),
                // governance (issue 20 item 4): metadata, as stored, unicode and nesting included
                principal(
                        "PEOPLE",
                        Set.of("people:read"),
                        86_400_000L,
                        new JsonObject()
                                .put("tier", "gold")
                                .put("route", new JsonObject().put("region", "eu-\u00e9\"x"))
                                .put("n", 3)))) {
            for (String code : List.of("VALID", "INSUFFICIENT_PERMISSIONS", "RATE_LIMITED")) {
                for (KeyUsage.Limit l : new KeyUsage.Limit[] {null, limit}) {
                    boolean allowed = code.equals("VALID");
                    assertThat(VerifyAnswer.valid(allowed, code, p, l, false, null, null)
                                    .toString())
                            .isEqualTo(tree(allowed, code, p, l));
                }
            }
        }
        for (String code : List.of("NOT_FOUND", "DISABLED", "REVOKED", "EXPIRED", "OWNER_INACTIVE")) {
            assertThat(VerifyAnswer.refused(code).toString())
                    .isEqualTo(new JsonObject()
                            .put("valid", false)
                            .put("code", code)
                            .encode());
        }
    }

    @Test
    @DisplayName("a usage quota's state, with and without a refill time, as the tree encodes it")
    void quotaAsTheTree() {
        KeyPrincipal p = principal("PEOPLE", Set.of("people:read"), Long.MAX_VALUE);
        for (Quotas.State q : List.of(
                new Quotas.State(1000, "DAY", 998, java.time.Instant.parse("2026-12-04T00:00:00Z")),
                new Quotas.State(10, "TOTAL", 0, null))) {
            JsonObject quota = new JsonObject()
                    .put("limit", q.limit())
                    .put("period", q.period())
                    .put("remaining", q.remaining());
            if (q.resetsAt() != null) {
                quota.put("resetsAt", q.resetsAt().toString());
            }
            assertThat(VerifyAnswer.valid(true, "VALID", p, null, false, null, q)
                            .toString())
                    .isEqualTo(new JsonObject(tree(true, "VALID", p, null))
                            .put("quota", quota)
                            .encode());
        }
    }
}
