package io.keysmith.auth;

import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-side sessions in PostgreSQL, so any replica serves any request and ending one (sign-out, deactivation)
 * takes effect everywhere at once. Only the SHA-256 of the session id is stored. Idle and absolute expiry; the
 * last-seen time is written at most once a minute, not on every request. The CSRF token is an HMAC of the session
 * id with the server secret: nothing to store, and useless without the cookie.
 */
public final class SessionService {
    public static final String COOKIE = "ks_session";

    /**
     * A live session: who, their rights, how it was authenticated ({@code amr}, RFC 8176: pwd, otp, ...), when last
     * (sign-in or step-up), the organization's step-up rules, and whether its user owes a second factor.
     */
    public record Session(
            UUID organizationId,
            UUID userId,
            Rights rights,
            List<String> amr,
            OffsetDateTime authenticatedAt,
            int stepUpMinutes,
            boolean stepUpPasswordAllowed,
            boolean hasSecondFactor,
            boolean secondFactorRequired) {

        /** Signed in under a policy that requires a second factor, without one: the session may only enrol one. */
        public boolean mustEnrol() {
            return secondFactorRequired && !hasSecondFactor;
        }
    }

    // stateless; static because ending a user's sessions is part of other features' transactions
    private static final SessionRepository REPOSITORY = new SessionRepository();

    private final Db db;
    private final ServerSecret secret;
    private final Duration idle;
    private final Duration absolute;

    public SessionService(Db db, ServerSecret secret, Duration idle, Duration absolute) {
        this.db = db;
        this.secret = secret;
        this.idle = idle;
        this.absolute = absolute;
    }

    public Duration absoluteLifetime() {
        return absolute;
    }

    /** Creates a password-authenticated session inside the caller's tenant transaction; the token for the cookie. */
    public Future<String> create(Tenant t, UUID userId) {
        return create(t, userId, List.of("pwd"));
    }

    /** Creates a session authenticated by {@code amr} (e.g. pwd + otp; sso sets its own), fresh as of now. */
    public Future<String> create(Tenant t, UUID userId, List<String> amr) {
        String token = Tokens.random();
        return REPOSITORY
                .insert(
                        t,
                        Buffer.buffer(Tokens.sha256(token)),
                        userId,
                        OffsetDateTime.now(ZoneOffset.UTC).plus(absolute),
                        amr)
                .map(token);
    }

    /** A fresh authentication within the session (step-up, a factor just enrolled): now, and {@code method} added. */
    public Future<Void> reauthenticated(Tenant t, String token, String method) {
        return REPOSITORY.reauthenticated(t, Buffer.buffer(Tokens.sha256(token)), method);
    }

    public Future<Session> find(String token) {
        if (token == null || token.length() < 20 || token.length() > 100) {
            return Future.succeededFuture(null);
        }
        Buffer hash = Buffer.buffer(Tokens.sha256(token));
        return REPOSITORY.find(db.pool(), hash).compose(r -> {
            if (r == null) {
                return Future.succeededFuture(null);
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            OffsetDateTime lastSeen = r.getOffsetDateTime("last_seen_at");
            if (lastSeen.plus(idle).isBefore(now)) {
                return Future.succeededFuture(null); // idle too long
            }
            Session s = session(r);
            if (lastSeen.plusMinutes(1).isAfter(now)) {
                return Future.succeededFuture(s);
            }
            return db.inOrganization(s.organizationId(), t -> REPOSITORY.touch(t, hash))
                    .map(s);
        });
    }

    /** The session of {@code token} as this transaction sees it (one it just created included), or null. */
    public Future<Session> describe(Tenant t, String token) {
        return REPOSITORY.find(t.conn(), Buffer.buffer(Tokens.sha256(token))).map(r -> r == null ? null : session(r));
    }

    private static Session session(io.vertx.sqlclient.Row r) {
        Object fields = r.getValue("field_rights");
        return new Session(
                r.getUUID("organization_id"),
                r.getUUID("user_id"),
                Rights.fromJson(new JsonObject()
                        .put("builtin", r.getString("builtin"))
                        .put("recordScope", r.getString("record_scope"))
                        .put("fieldRights", fields instanceof JsonObject j ? j : new JsonObject())
                        .put(
                                "permissions",
                                new JsonArray(java.util.Arrays.asList(r.getArrayOfStrings("permissions"))))),
                List.of(r.getArrayOfStrings("amr")),
                r.getOffsetDateTime("authenticated_at"),
                r.getInteger("step_up_minutes"),
                r.getBoolean("step_up_password_allowed"),
                r.getBoolean("has_second_factor"),
                r.getBoolean("second_factor_required"));
    }

    public Future<Void> end(Tenant t, String token) {
        return REPOSITORY.delete(t, Buffer.buffer(Tokens.sha256(token)));
    }

    public static Future<Void> endAllOf(Tenant t, UUID userId) {
        return REPOSITORY.deleteAllOf(t, userId);
    }

    public String csrfToken(String sessionToken) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.current().key(), "HmacSHA256"));
            byte[] out = mac.doFinal(("csrf:" + sessionToken).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
