package io.keysmith.keys;

import io.keysmith.auth.Rights;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What a key may do, computed from the row {@code ks_key_by_hash} returns (ADR 0009): its API type's permissions ∩
 * its own (SCOPED) permissions, or for INHERIT the type's read permissions only (ADR 0012), ∩ its owner's current access level ∩, when whoever holds its secret is not the owner,
 * the holder's current access level. Field rights and record scope are intersected the same way. The one place this
 * rule lives: the verifier calls it on every load, the key listing asks {@link #suspension} for what it shows.
 */
public final class EffectiveRights {
    private EffectiveRights() {}

    /** Why a key authenticates nothing although it is active and its owner is: see {@link #suspension}. */
    public enum Suspension {
        /** The holder (not the owner) is deactivated. */
        HOLDER_INACTIVE,
        /** The holder (not the owner) no longer holds "manage ALL organization API credentials". */
        HOLDER_LACKS_MANAGE_ALL,
        /** The owner no longer holds "create own API keys" (nor "manage ALL"): they may not hold keys at all. */
        OWNER_LACKS_CREATE_OWN
    }

    public static Rights of(Row r, ApiTypes.ApiType type) {
        Rights owner = rights(
                r.getString("owner_builtin"),
                r.getString("owner_scope"),
                r.getValue("owner_field_rights"),
                r.getArrayOfStrings("owner_permissions"));
        Rights bound = owner;
        if (!heldByOwner(r)) {
            Rights holder = rights(
                    r.getString("holder_builtin"),
                    r.getString("holder_scope"),
                    r.getValue("holder_field_rights"),
                    r.getArrayOfStrings("holder_permissions"));
            bound = intersect(owner, holder);
        }
        Set<String> typePermissions = type == null ? Set.of() : type.permissions();
        Set<String> permissions = new TreeSet<>();
        Map<String, String> fields = new LinkedHashMap<>();
        if ("INHERIT".equals(r.getString("permission_mode"))) {
            // reads only: a write permission is an explicit opt-in of a SCOPED key (ADR 0012)
            permissions.addAll(bound.permissions());
            permissions.retainAll(type == null ? Set.of() : type.inheritable());
            fields.putAll(bound.fieldRights());
        } else {
            for (String p : r.getArrayOfStrings("key_permissions")) {
                if (bound.has(p)) {
                    permissions.add(p);
                }
            }
            Object keyFields = r.getValue("key_field_rights");
            if (keyFields instanceof JsonObject kf) {
                Rights b = bound;
                kf.forEach(e -> fields.put(e.getKey(), lower(String.valueOf(e.getValue()), b.field(e.getKey()))));
            }
        }
        permissions.retainAll(typePermissions); // a key never calls outside its API type
        return new Rights(null, bound.recordScope(), fields, permissions);
    }

    /**
     * Whether the key is suspended because whoever holds its secret no longer holds the right by which they hold
     * it; a suspended key authenticates nothing (the verifier checks revoked, disabled and owner status first).
     */
    public static boolean suspended(Row r) {
        return suspension(r) != null;
    }

    /**
     * Why the key is suspended, or null. Its owner must hold "create own API keys" (or "manage ALL"), as when the key
     * was made; a holder other than the owner must be active and hold "manage ALL organization API credentials", the
     * right by which they received someone else's secret. Needs the columns {@code owner_user_id}, {@code
     * owner_permissions}, {@code holder_user_id}, {@code holder_status}, {@code holder_permissions}.
     */
    public static Suspension suspension(Row r) {
        Set<String> owner = Set.of(r.getArrayOfStrings("owner_permissions"));
        if (!owner.contains(KeyService.CREATE_OWN) && !owner.contains(KeyService.MANAGE_ALL)) {
            return Suspension.OWNER_LACKS_CREATE_OWN;
        }
        if (heldByOwner(r)) {
            return null;
        }
        if (!"ACTIVE".equals(r.getString("holder_status"))) {
            return Suspension.HOLDER_INACTIVE;
        }
        if (!Arrays.asList(r.getArrayOfStrings("holder_permissions")).contains(KeyService.MANAGE_ALL)) {
            return Suspension.HOLDER_LACKS_MANAGE_ALL;
        }
        return null;
    }

    private static boolean heldByOwner(Row r) {
        UUID holder = r.getUUID("holder_user_id");
        return holder == null || holder.equals(r.getUUID("owner_user_id"));
    }

    /** What both grant: common permissions, record scope ALL only if both have it, the lower of each field right. */
    static Rights intersect(Rights a, Rights b) {
        Set<String> permissions = new TreeSet<>(a.permissions());
        permissions.retainAll(b.permissions());
        Map<String, String> fields = new LinkedHashMap<>();
        a.fieldRights().forEach((f, right) -> {
            String lower = lower(right, b.field(f));
            if (!"NONE".equals(lower)) {
                fields.put(f, lower);
            }
        });
        return new Rights(null, a.allRecords() && b.allRecords() ? "ALL" : "OWN", fields, permissions);
    }

    private static String lower(String a, String b) {
        return Rights.LEVELS.indexOf(a) <= Rights.LEVELS.indexOf(b) ? a : b;
    }

    private static Rights rights(String builtin, String scope, Object fields, String[] permissions) {
        Map<String, String> f = new LinkedHashMap<>();
        if (fields instanceof JsonObject j) {
            j.forEach(e -> f.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return new Rights(
                builtin, scope, f, new TreeSet<>(Arrays.asList(permissions == null ? new String[0] : permissions)));
    }
}
