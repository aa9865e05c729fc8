package io.keysmith.auth;

import io.keysmith.errors.Forbidden;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * "Sudo mode": operations the contract marks {@code x-step-up} (minting, rotating, transferring a credential, changing
 * access levels, changing one's own factors) need an authentication of the session within the organization's
 * step-up window (default 10 minutes). A sign-in counts; later, {@code POST /api/v1/session/step-up} renews it with a
 * second factor (or the password, for a user without one when the policy allows). {@code x-step-up} is {@code true},
 * or the name of a body property: then only a request that carries it (a user's access level) needs it.
 */
public final class StepUp {
    public static final String CODE = "step-up-required";

    private StepUp() {}

    /** The operation's step-up check, or null when it has none. */
    public static Handler<RoutingContext> forOperation(JsonObject operation, Clock clock) {
        Object rule = operation.getValue("x-step-up");
        if (rule == null || Boolean.FALSE.equals(rule)) {
            return null;
        }
        String property = rule instanceof String p ? p : null;
        return rc -> {
            User user = rc.user();
            if (user != null && user.attributes().containsKey("authenticatedAt") && applies(rc, property)) {
                check(user.attributes(), clock.instant().getEpochSecond());
            }
            rc.next();
        };
    }

    private static boolean applies(RoutingContext rc, String property) {
        if (property == null) {
            return true;
        }
        try {
            JsonObject body = rc.body().asJsonObject();
            return body != null && body.containsKey(property);
        } catch (RuntimeException e) {
            return true; // not an object: validation has refused it already; never skip the check on doubt
        }
    }

    /** Throws {@code step-up-required} unless the session authenticated within its organization's window. */
    static void check(JsonObject session, long nowSeconds) {
        long at = session.getLong("authenticatedAt");
        int minutes = session.getInteger("stepUpMinutes", 10);
        if (nowSeconds - at <= minutes * 60L) {
            return;
        }
        boolean factor = session.getBoolean("hasSecondFactor", false);
        boolean password = !factor && session.getBoolean("stepUpPasswordAllowed", true);
        String how = factor
                ? "a code from your authenticator app or a recovery code"
                : password ? "your password" : "a second factor (set one up first)";
        throw new Forbidden(
                CODE,
                "This needs a fresh authentication (within the last " + minutes + " minutes): confirm with " + how
                        + " (POST /api/v1/session/step-up), then repeat the request",
                null);
    }
}
