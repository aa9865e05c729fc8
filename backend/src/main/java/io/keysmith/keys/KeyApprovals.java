package io.keysmith.keys;

import io.keysmith.auth.Rights;
import io.keysmith.errors.Invalid;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The organization's approval policy applied to a key (issue 20 item 1): which rights a key requests and why it
 * needs another credential administrator's approval; and the bound on a key's metadata (item 4). Pure rules, no
 * I/O: {@link KeyService} calls them inside its transactions.
 */
final class KeyApprovals {
    static final String API_TYPE = "API_TYPE";
    static final String PERMISSION = "PERMISSION";
    static final String OWNER_NOT_ADMIN = "OWNER_NOT_ADMIN";
    /** Metadata is at most this many bytes of compact JSON (UTF-8). */
    static final int METADATA_BYTES = 1024;

    private KeyApprovals() {}

    /** The permissions a key would hold: a SCOPED key's own list, an INHERIT key its owner's within the type. */
    static Set<String> requested(JsonObject key, Rights owner, ApiTypes.ApiType type) {
        Set<String> out = new TreeSet<>();
        if ("SCOPED".equals(key.getString("permissionMode"))) {
            key.getJsonArray("permissions", new JsonArray()).forEach(p -> out.add((String) p));
        } else if (type != null) {
            for (String p : owner.permissions()) {
                if (type.inheritable().contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Why {@code policies} hold such a key for approval; empty: it needs none. */
    static List<String> reasons(JsonObject policies, ApiTypes.ApiType type, Set<String> requested, Rights owner) {
        List<String> reasons = new ArrayList<>(3);
        if (policies.getJsonArray("approvalApiTypes", new JsonArray()).contains(type.name())) {
            reasons.add(API_TYPE);
        }
        if (gated(policies, requested)) {
            reasons.add(PERMISSION);
        }
        if (policies.getBoolean("approvalWhenOwnerNotAdmin", false) && !owner.has(KeyService.MANAGE_ALL)) {
            reasons.add(OWNER_NOT_ADMIN);
        }
        return reasons;
    }

    /** Whether any of {@code permissions} is one the policy gates. */
    static boolean gated(JsonObject policies, Set<String> permissions) {
        for (Object p : policies.getJsonArray("approvalPermissions", new JsonArray())) {
            if (permissions.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** A gated permission {@code after} holds that {@code before} did not: the key's rights grew into the policy. */
    static boolean newlyGated(JsonObject policies, Set<String> before, Set<String> after) {
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        return gated(policies, added);
    }

    /** Refuses metadata over {@link #METADATA_BYTES} (the contract bounds its shape, not its encoded size). */
    static void checkMetadata(JsonObject body) {
        if (body.getValue("metadata") instanceof JsonObject m
                && m.encode().getBytes(StandardCharsets.UTF_8).length > METADATA_BYTES) {
            throw new Invalid(
                    "metadata", "Field 'metadata' is larger than " + METADATA_BYTES + " bytes of JSON (UTF-8)");
        }
    }
}
