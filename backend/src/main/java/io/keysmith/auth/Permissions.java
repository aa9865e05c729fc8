package io.keysmith.auth;

import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each access level may do. Until custom access levels exist (access-levels issue), Account Owner and Full
 * Admin administer the organization and everyone else only themselves (through /me). That issue replaces this
 * table with the levels stored per organization; the plumbing (providers put these into the user's
 * authorizations, {@link io.keysmith.http.Guard} checks the operation's x-permission) stays.
 */
public final class Permissions {
    public static final String PROVIDER = "keysmith-access-level";

    private static final List<String> ADMIN = List.of("users:read", "users:manage", "audit:read");
    private static final Map<String, List<String>> BY_LEVEL =
            Map.of("ACCOUNT_OWNER", ADMIN, "FULL_ADMIN", ADMIN, "EMPLOYEE", List.of());

    private Permissions() {}

    public static List<String> of(String accessLevel) {
        return BY_LEVEL.getOrDefault(accessLevel, List.of());
    }

    public static Set<Authorization> authorizations(String accessLevel) {
        return of(accessLevel).stream()
                .map(PermissionBasedAuthorization::create)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
