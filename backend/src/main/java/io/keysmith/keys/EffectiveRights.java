package io.keysmith.keys;

import io.keysmith.auth.Rights;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a key may do, computed from the row {@code ks_key_by_hash} returns: its API type's permissions ∩ its own
 * (SCOPED) permissions ∩ its owner's current access level; field rights never exceed the owner's. The one place this
 * rule lives: the verifier calls it on every load, nothing else recomputes it.
 */
public final class EffectiveRights {
    private EffectiveRights() {}

    public static Rights of(Row r, ApiTypes.ApiType type) {
        Rights owner = rights(
                r.getString("owner_builtin"),
                r.getString("owner_scope"),
                r.getValue("owner_field_rights"),
                r.getArrayOfStrings("owner_permissions"));
        Set<String> typePermissions = type == null ? Set.of() : type.permissions();
        Set<String> permissions = new TreeSet<>();
        Map<String, String> fields = new LinkedHashMap<>();
        if ("INHERIT".equals(r.getString("permission_mode"))) {
            permissions.addAll(owner.permissions());
            fields.putAll(owner.fieldRights());
        } else {
            for (String p : r.getArrayOfStrings("key_permissions")) {
                if (owner.has(p)) {
                    permissions.add(p);
                }
            }
            Object keyFields = r.getValue("key_field_rights");
            if (keyFields instanceof JsonObject kf) {
                kf.forEach(e -> {
                    String wanted = String.valueOf(e.getValue());
                    String held = owner.field(e.getKey());
                    fields.put(
                            e.getKey(), Rights.LEVELS.indexOf(wanted) <= Rights.LEVELS.indexOf(held) ? wanted : held);
                });
            }
        }
        permissions.retainAll(typePermissions); // a key never calls outside its API type
        return new Rights(null, owner.recordScope(), fields, permissions);
    }

    private static Rights rights(String builtin, String scope, Object fields, String[] permissions) {
        Map<String, String> f = new LinkedHashMap<>();
        if (fields instanceof JsonObject j) {
            j.forEach(e -> f.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return new Rights(builtin, scope, f, new TreeSet<>(Arrays.asList(permissions)));
    }

    /**
     * Whether the key is suspended because whoever holds its secret no longer holds the right by which they obtained
     * it (issue 13: the escalation rules fill this in); a suspended key authenticates nothing.
     */
    public static boolean suspended(Row r) {
        return false;
    }
}
