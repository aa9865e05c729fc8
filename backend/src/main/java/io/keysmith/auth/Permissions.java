package io.keysmith.auth;

import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns an access level's permission names into vertx-auth authorizations, matched by {@link Guard}. */
public final class Permissions {
    public static final String PROVIDER = "keysmith-access-level";

    private Permissions() {}

    public static Set<Authorization> authorizations(Collection<String> permissions) {
        return permissions.stream()
                .map(PermissionBasedAuthorization::create)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
