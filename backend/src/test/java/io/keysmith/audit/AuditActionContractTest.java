package io.keysmith.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.support.ContractOperations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 1: the audit log showed codes because nothing tied the actions the server writes to what the SPA
 * can say. The server's one list (AuditAction) must equal the contract's enum, which types the SPA's sentence map
 * (tsc fails on a missing sentence), and no event can be built with an unlisted action.
 */
@DisplayName("Audit actions: the server's list is the contract's enum, and nothing else can be recorded")
class AuditActionContractTest {

    private static List<String> contractEnum(String schema) {
        JsonArray values = ContractOperations.contract()
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject(schema)
                .getJsonArray("enum");
        return values.stream().map(String.class::cast).toList();
    }

    @Test
    void everyActionTheServerCanRecord_isDeclaredInTheContractsEnum_andNoOtherIs() {
        List<String> server =
                Arrays.stream(AuditAction.values()).map(AuditAction::code).toList();
        assertThat(contractEnum("AuditAction")).containsExactlyInAnyOrderElementsOf(server);
    }

    @Test
    void anEventWithAnActionOutsideTheList_cannotBeBuilt() {
        assertThatThrownBy(() -> AuditEvent.by(null, "api-key.bulk-revoked", "api-key", "x", "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("api-key.bulk-revoked");
        assertThatThrownBy(() -> new AuditEvent(null, null, "made.up", null, null, null, new JsonObject()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AuditEvent.by(null, AuditAction.API_KEY_REVOKED, "api-key", "x", null)
                        .action())
                .isEqualTo("api-key.revoked");
    }

    @Test
    void theTargetKindsTheContractDeclares_coverEveryKindTheServerJoinsANameFor() {
        assertThat(contractEnum("AuditTargetType"))
                .containsExactlyInAnyOrder(
                        "access-level", "api-key", "organization", "partner", "person", "user", "webhook-endpoint");
    }

    @Test
    void changedFields_recordNamesOnly_sortedAndOnlyThoseThatDiffer() {
        JsonObject before =
                new JsonObject().put("name", "a").put("maxKeysPerUser", 5).put("secretish", "x");
        JsonObject after =
                new JsonObject().put("name", "b").put("maxKeysPerUser", 5).put("secretish", "y");
        AuditEvent e = AuditEvent.by(null, AuditAction.POLICY_CHANGED, "organization", "o", null)
                .changed(AuditEvent.differing(before, after, after.fieldNames()));
        assertThat(e.details().getJsonArray("fields").getList()).containsExactly("name", "secretish");
        assertThat(e.details().encode()).doesNotContain("\"b\"").doesNotContain("\"y\"");
    }
}
