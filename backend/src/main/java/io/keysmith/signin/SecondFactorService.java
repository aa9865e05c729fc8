package io.keysmith.signin;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.auth.Tokens;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.keysmith.users.UserRepository;
import io.keysmith.users.UserService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Second factors: TOTP enrolment (a pending secret that counts only once a code from it is confirmed), one-time
 * recovery codes (shown once, stored as hashes), checking a factor for sign-in and step-up (throttled like passwords,
 * each TOTP code once), an admin's reset of a user's factors, and the organization's sign-in policy. No secret or code
 * is ever logged or audited.
 */
public final class SecondFactorService {
    public static final int RECOVERY_CODES = 10;
    /** A pending enrolment must be confirmed within this time. */
    static final Duration ENROLMENT_WINDOW = Duration.ofMinutes(15);

    private static final Set<String> ADMIN_PERMISSIONS =
            Set.of("keys:manage-all", "users:manage", "access-levels:manage");
    private static final char[] RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A factor the user proved: its amr value (RFC 8176) and whether it was a recovery code. */
    public record Proof(String amr, boolean recoveryCode) {}

    private final Db db;
    private final SecondFactorRepository repository;
    private final SecretBox box;
    private final SessionService sessions;
    private final SignInThrottle throttle;
    private final UserRepository users;
    private final UserService userService;
    private final AuditRepository audit;
    private final Clock clock;
    private final PasskeyRepository passkeys;

    SecondFactorService(
            Db db,
            SecondFactorRepository repository,
            SecretBox box,
            SessionService sessions,
            SignInThrottle throttle,
            UserRepository users,
            UserService userService,
            AuditRepository audit,
            Clock clock,
            PasskeyRepository passkeys) {
        this.passkeys = passkeys;
        this.db = db;
        this.repository = repository;
        this.box = box;
        this.sessions = sessions;
        this.throttle = throttle;
        this.users = users;
        this.userService = userService;
        this.audit = audit;
        this.clock = clock;
    }

    /** Whether the policy requires a second factor of someone holding {@code rights}. */
    public static boolean required(JsonObject policy, Rights rights) {
        return switch (policy.getString("secondFactorRequiredFor")) {
            case "EVERYONE" -> true;
            case "ADMINS" ->
                "ACCOUNT_OWNER".equals(rights.builtin())
                        || "FULL_ADMIN".equals(rights.builtin())
                        || ADMIN_PERMISSIONS.stream().anyMatch(rights::has);
            default -> false;
        };
    }

    /** The caller's own factors: TOTP on or off (and pending), recovery codes left, what the policy asks. */
    public Future<JsonObject> status(Caller caller) {
        return db.inOrganization(
                caller.organizationId(),
                t -> repository
                        .totp(t, caller.userId())
                        .compose(totp -> repository
                                .recoveryCodesLeft(t, caller.userId())
                                .compose(left -> passkeys.count(t, caller.userId())
                                        .compose(keys -> repository.policy(t).map(policy -> {
                                            boolean on = totp != null && totp.getValue("secret") != null;
                                            JsonObject out = new JsonObject()
                                                    .put("totp", on)
                                                    .put("passkeys", keys)
                                                    .put(
                                                            "totpPending",
                                                            totp != null && totp.getValue("pending_secret") != null)
                                                    .put("recoveryCodesLeft", left)
                                                    .put("required", required(policy, caller.rights()));
                                            if (on) {
                                                out.put(
                                                        "totpConfirmedAt",
                                                        totp.getOffsetDateTime("confirmed_at")
                                                                .toInstant()
                                                                .toString());
                                            }
                                            return out;
                                        })))));
    }

    /** Starts (or restarts) a TOTP enrolment: a new secret, shown once, as Base32 and as an otpauth:// URI. */
    public Future<JsonObject> startTotp(Caller caller) {
        byte[] secret = Totp.newSecret();
        SecretBox.Sealed sealed = box.seal(secret, caller.organizationId(), caller.userId());
        return db.inOrganization(
                caller.organizationId(),
                t -> users.find(t, caller.userId())
                        .compose(user -> repository
                                .startPending(t, caller.userId(), sealed.bytes(), sealed.version())
                                .map(x -> new JsonObject()
                                        .put("secret", Totp.base32(secret))
                                        .put("otpauthUri", Totp.uri(secret, user.getString("email")))
                                        .put(
                                                "expiresAt",
                                                clock.instant()
                                                        .plus(ENROLMENT_WINDOW)
                                                        .toString()))));
    }

    /**
     * Confirms the pending enrolment with a code from it: the secret counts from now on, fresh recovery codes replace
     * any old ones (the answer is the only place they appear), and this session counts as authenticated with it.
     */
    public Future<JsonObject> confirmTotp(Caller caller, String code, String source) {
        List<String> codes = newRecoveryCodes();
        return throttle.reserveSecondFactor(caller.userId(), source)
                .compose(x -> db.inOrganization(
                        caller.organizationId(),
                        t -> repository.totp(t, caller.userId()).compose(row -> {
                            if (row == null
                                    || row.getValue("pending_secret") == null
                                    || row.getOffsetDateTime("pending_since")
                                            .toInstant()
                                            .plus(ENROLMENT_WINDOW)
                                            .isBefore(clock.instant())) {
                                return Future.<JsonObject>failedFuture(new Conflict(
                                        "no-pending-enrolment",
                                        "No authenticator set-up is waiting for a code: start again",
                                        "code"));
                            }
                            byte[] secret = box.open(
                                    row.getBuffer("pending_secret").getBytes(),
                                    row.getInteger("pending_secret_version"),
                                    caller.organizationId(),
                                    caller.userId());
                            long step = Totp.matchingStep(secret, code, clock.instant());
                            if (step < 0) {
                                return Future.<JsonObject>failedFuture(wrongCode("code"));
                            }
                            return repository
                                    .confirmPending(t, caller.userId(), step)
                                    .compose(ok -> repository.replaceRecoveryCodes(
                                            t,
                                            caller.userId(),
                                            codes.stream()
                                                    .map(SecondFactorService::hash)
                                                    .toList()))
                                    .compose(y -> sessions.reauthenticated(t, caller.sessionToken(), "otp"))
                                    .compose(y -> audit.append(
                                            t,
                                            AuditEvent.by(
                                                            caller.userId(),
                                                            "user.second-factor-enrolled",
                                                            "user",
                                                            caller.userId(),
                                                            source)
                                                    .with("factor", "totp")))
                                    .map(y -> new JsonObject().put("recoveryCodes", new JsonArray(codes)));
                        })))
                .compose(out ->
                        throttle.secondFactorSucceeded(caller.userId(), source).map(out));
    }

    /** Turns the caller's TOTP off (and their recovery codes), unless the policy requires a factor of them. */
    public Future<Void> removeTotp(Caller caller, String source) {
        return db.inOrganization(
                caller.organizationId(),
                t -> repository
                        .policy(t)
                        .compose(policy -> passkeys.count(t, caller.userId()).compose(keys -> {
                            if (required(policy, caller.rights()) && keys == 0) {
                                return Future.<Void>failedFuture(new Conflict(
                                        "second-factor-required",
                                        "Your organization requires a second factor of you: it cannot be turned off"));
                            }
                            return repository
                                    .deleteTotp(t, caller.userId())
                                    .compose(existed -> existed
                                            ? repository
                                                    .deleteRecoveryCodes(t, caller.userId())
                                                    .compose(x -> audit.append(
                                                            t,
                                                            AuditEvent.by(
                                                                            caller.userId(),
                                                                            "user.second-factor-removed",
                                                                            "user",
                                                                            caller.userId(),
                                                                            source)
                                                                    .with("factor", "totp")))
                                            : Future.<Void>failedFuture(new io.keysmith.errors.NotFound(
                                                    "You have no authenticator app set up")));
                        })));
    }

    /** Whether the user has a confirmed second factor, TOTP or a passkey (then a sign-in needs it). */
    public Future<Boolean> hasFactor(Tenant t, UUID userId) {
        return methods(t, userId).map(m -> !m.isEmpty());
    }

    /** The second factors a sign-in of the user may complete with: totp and recovery-code, passkey. */
    public Future<List<String>> methods(Tenant t, UUID userId) {
        return repository
                .totp(t, userId)
                .compose(row -> passkeys.count(t, userId).map(keys -> {
                    List<String> out = new ArrayList<>();
                    if (row != null && row.getValue("secret") != null) {
                        out.add("totp");
                        out.add("recovery-code");
                    }
                    if (keys > 0) {
                        out.add("passkey");
                    }
                    return out;
                }));
    }

    /** Whether the user has a confirmed TOTP (step-up with a code is possible). */
    public Future<Boolean> hasTotp(Tenant t, UUID userId) {
        return repository.totp(t, userId).map(row -> row != null && row.getValue("secret") != null);
    }

    /**
     * Checks a TOTP code (each once) or a recovery code (spent) of the user inside the transaction; null when it is
     * wrong. The caller counts the attempt with the throttle first.
     */
    public Future<Proof> prove(Tenant t, UUID userId, String code, String recoveryCode) {
        if (recoveryCode != null) {
            return repository
                    .useRecoveryCode(t, userId, hash(recoveryCode))
                    .map(ok -> ok ? new Proof("otp", true) : null);
        }
        return repository.totp(t, userId).compose(row -> {
            if (row == null || row.getValue("secret") == null) {
                return Future.<Proof>succeededFuture(null);
            }
            long step = Totp.matchingStep(open(row, t.org(), userId), code, clock.instant());
            if (step < 0) {
                return Future.<Proof>succeededFuture(null);
            }
            return repository.spendStep(t, userId, step).map(ok -> ok ? new Proof("otp", false) : null);
        });
    }

    private byte[] open(Row row, UUID organizationId, UUID userId) {
        return box.open(row.getBuffer("secret").getBytes(), row.getInteger("secret_version"), organizationId, userId);
    }

    /**
     * An admin resets a user's second factors (a lost phone): TOTP, recovery codes, passkeys and open sign-in challenges go;
     * under a policy that requires a factor the user is led through enrolment at their next sign-in. Only for users
     * holding nothing the admin lacks; audited.
     */
    public Future<Void> reset(Caller caller, UUID userId, String source) {
        return db.inOrganization(
                caller.organizationId(),
                t -> userService
                        .actionable(t, caller, userId, "reset the second factors of")
                        .compose(user -> repository.deleteTotp(t, userId))
                        .compose(x -> repository.deleteRecoveryCodes(t, userId))
                        .compose(x -> repository.deleteChallengesOf(t, userId))
                        .compose(x -> passkeys.deleteAllOf(t, userId))
                        .compose(x -> audit.append(
                                t,
                                AuditEvent.by(caller.userId(), "user.second-factors-reset", "user", userId, source)
                                        // mailed to the user whose factors went (ks_mail_claim reads this id)
                                        .with("ownerUserId", userId.toString()))));
    }

    public Future<JsonObject> policy(Caller caller) {
        return db.inOrganization(caller.organizationId(), repository::policy);
    }

    public Future<JsonObject> savePolicy(Caller caller, JsonObject body, String source) {
        String requiredFor = body.getString("secondFactorRequiredFor");
        int minutes = body.getInteger("stepUpMinutes", 10);
        boolean password = body.getBoolean("stepUpPasswordAllowed", true);
        return db.inOrganization(
                caller.organizationId(),
                t -> repository
                        .policy(t)
                        .compose(before -> repository
                                .savePolicy(t, requiredFor, minutes, password)
                                .compose(x -> repository.policy(t))
                                .compose(after -> audit.append(
                                                t,
                                                AuditEvent.by(
                                                                caller.userId(),
                                                                "sign-in-policy.changed",
                                                                "organization",
                                                                caller.organizationId(),
                                                                source)
                                                        .changed(AuditEvent.differing(
                                                                before, after, after.fieldNames())))
                                        .map(after))));
    }

    static Invalid wrongCode(String field) {
        return new Invalid(field, "The code is not right (or was used already): enter the current code");
    }

    static List<String> newRecoveryCodes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 16; j++) {
                if (j > 0 && j % 4 == 0) {
                    b.append('-');
                }
                b.append(RECOVERY_ALPHABET[RANDOM.nextInt(RECOVERY_ALPHABET.length)]);
            }
            out.add(b.toString());
        }
        return out;
    }

    /** A recovery code as stored: the SHA-256 of its letters, without separators or case. */
    static byte[] hash(String code) {
        return Tokens.sha256(code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT));
    }
}
