package io.keysmith.signin;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticatorTransport;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.util.Base64UrlUtil;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.auth.Tokens;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.Unauthenticated;
import io.keysmith.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Passkeys (WebAuthn, ADR 0016): registration ceremonies and assertions, verified by webauthn4j (no crypto of our
 * own). The relying party is KEYSMITH_PUBLIC_URL: its host is the rpId, its origin the only accepted origin.
 * Attestation "none" (no attestation trust decisions). Each ceremony's challenge is random, stored server-side by its
 * hash, bound to the session or the password-checked sign-in, taken once and dead after two minutes. A sign counter
 * that goes backwards marks the passkey as possibly cloned: refused from then on, audited, shown to its owner.
 */
public final class PasskeyService {
    static final Duration CEREMONY_LIFETIME = Duration.ofMinutes(2);
    static final int MAX_PER_USER = 20;

    static final String REGISTER = "register";
    static final String SECOND_FACTOR = "second-factor";
    static final String STEP_UP = "step-up";
    static final String PASSWORDLESS = "passwordless";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.EdDSA),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));

    /** A verified assertion: whose passkey it was and whether the authenticator verified the user (PIN, biometric). */
    public record Verified(UUID organizationId, UUID userId, boolean userVerified) {}

    private final Db db;
    private final PasskeyRepository repository;
    private final UserRepository users;
    private final SignInThrottle throttle;
    private final AuditRepository audit;
    private final Supplier<String> publicUrl;
    // the non-strict manager accepts every attestation format without trusting any: attestation "none" by policy
    private final WebAuthnManager manager;
    private final AttestedCredentialDataConverter credentialData;

    PasskeyService(
            Db db,
            PasskeyRepository repository,
            UserRepository users,
            SignInThrottle throttle,
            AuditRepository audit,
            Supplier<String> publicUrl) {
        this.db = db;
        this.repository = repository;
        this.users = users;
        this.throttle = throttle;
        this.audit = audit;
        this.publicUrl = publicUrl;
        ObjectConverter converter = new ObjectConverter();
        this.manager = WebAuthnManager.createNonStrictWebAuthnManager(converter);
        this.credentialData = new AttestedCredentialDataConverter(converter);
    }

    String origin() {
        URI u = URI.create(publicUrl.get());
        return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
    }

    String rpId() {
        return URI.create(publicUrl.get()).getHost();
    }

    /** The user handle of the passkeys of a user: the 16 bytes of their id (no personal data). */
    static byte[] userHandle(UUID userId) {
        return ByteBuffer.allocate(16)
                .putLong(userId.getMostSignificantBits())
                .putLong(userId.getLeastSignificantBits())
                .array();
    }

    private static byte[] newChallenge() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private static OffsetDateTime expiry() {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(CEREMONY_LIFETIME);
    }

    private static JsonArray descriptors(List<Row> passkeys) {
        JsonArray out = new JsonArray();
        for (Row r : passkeys) {
            JsonObject d = new JsonObject()
                    .put("type", "public-key")
                    .put(
                            "id",
                            Base64UrlUtil.encodeToString(
                                    r.getBuffer("credential_id").getBytes()));
            String[] transports = r.getArrayOfStrings("transports");
            if (transports != null && transports.length > 0) {
                d.put("transports", new JsonArray(List.of(transports)));
            }
            out.add(d);
        }
        return out;
    }

    public Future<JsonObject> list(Caller caller) {
        return db.inOrganization(
                caller.organizationId(),
                t -> repository.ofUser(t, caller.userId()).map(rows -> {
                    JsonArray items = new JsonArray();
                    rows.forEach(r -> items.add(PasskeyRepository.toJson(r)));
                    return new JsonObject().put("items", items);
                }));
    }

    /** Options for navigator.credentials.create: a discoverable ES256/EdDSA/RS256 credential, attestation "none". */
    public Future<JsonObject> registrationOptions(Caller caller) {
        byte[] challenge = newChallenge();
        return db.inOrganization(
                caller.organizationId(),
                t -> users.find(t, caller.userId())
                        .compose(user -> repository.ofUser(t, caller.userId()).compose(existing -> {
                            if (existing.size() >= MAX_PER_USER) {
                                return Future.<JsonObject>failedFuture(new Conflict(
                                        "too-many-passkeys",
                                        "You have " + MAX_PER_USER + " passkeys: remove one before adding another"));
                            }
                            JsonArray algorithms = new JsonArray();
                            ALGORITHMS.forEach(a -> algorithms.add(new JsonObject()
                                    .put("type", "public-key")
                                    .put("alg", a.getAlg().getValue())));
                            String display =
                                    (user.getString("firstName", "") + " " + user.getString("lastName", "")).trim();
                            JsonObject options = new JsonObject()
                                    .put("challenge", Base64UrlUtil.encodeToString(challenge))
                                    .put(
                                            "rp",
                                            new JsonObject().put("id", rpId()).put("name", "Keysmith"))
                                    .put(
                                            "user",
                                            new JsonObject()
                                                    .put(
                                                            "id",
                                                            Base64UrlUtil.encodeToString(userHandle(caller.userId())))
                                                    .put("name", user.getString("email"))
                                                    .put(
                                                            "displayName",
                                                            display.isEmpty() ? user.getString("email") : display))
                                    .put("pubKeyCredParams", algorithms)
                                    .put("timeout", CEREMONY_LIFETIME.toMillis())
                                    .put("attestation", "none")
                                    .put(
                                            "authenticatorSelection",
                                            new JsonObject()
                                                    .put("residentKey", "required")
                                                    .put("requireResidentKey", true)
                                                    .put("userVerification", "preferred"))
                                    .put("excludeCredentials", descriptors(existing))
                                    .put("extensions", new JsonObject().put("credProps", true));
                            return repository
                                    .beginCeremony(
                                            t.conn(),
                                            Tokens.sha256(Base64UrlUtil.encodeToString(challenge)),
                                            t.org(),
                                            caller.userId(),
                                            REGISTER,
                                            Tokens.sha256(caller.sessionToken()),
                                            expiry())
                                    .map(x -> new JsonObject().put("publicKey", options));
                        })));
    }

    /** Verifies navigator.credentials.create's answer to this session's ceremony and stores the passkey. */
    public Future<JsonObject> register(Caller caller, String name, JsonObject credential, String source) {
        RegistrationData data;
        try {
            data = manager.parseRegistrationResponseJSON(credential.encode());
        } catch (RuntimeException e) {
            return Future.failedFuture(notAPasskey());
        }
        if (data.getCollectedClientData() == null
                || data.getAttestationObject() == null
                || data.getAttestationObject().getAuthenticatorData().getAttestedCredentialData() == null) {
            return Future.failedFuture(notAPasskey());
        }
        byte[] challenge = data.getCollectedClientData().getChallenge().getValue();
        return db.inOrganization(
                caller.organizationId(),
                t -> repository
                        .takeCeremony(
                                t.conn(),
                                Tokens.sha256(Base64UrlUtil.encodeToString(challenge)),
                                REGISTER,
                                Tokens.sha256(caller.sessionToken()))
                        .compose(row -> {
                            if (row == null || !caller.userId().equals(row.getUUID("user_id"))) {
                                return Future.<JsonObject>failedFuture(new Invalid(
                                        "credential",
                                        "This passkey request has expired or was used already: start again"));
                            }
                            try {
                                manager.verify(
                                        data,
                                        new RegistrationParameters(
                                                new ServerProperty(
                                                        new Origin(origin()), rpId(), new DefaultChallenge(challenge)),
                                                ALGORITHMS,
                                                false,
                                                true));
                            } catch (RuntimeException e) {
                                return Future.<JsonObject>failedFuture(new Invalid(
                                        "credential",
                                        "The passkey could not be verified (" + reason(e) + "): try again"));
                            }
                            AuthenticatorData<?> authData =
                                    data.getAttestationObject().getAuthenticatorData();
                            AttestedCredentialData acd = authData.getAttestedCredentialData();
                            Boolean discoverable = data.getClientExtensions() == null
                                            || data.getClientExtensions().getCredProps() == null
                                    ? null
                                    : data.getClientExtensions().getCredProps().getRk();
                            List<String> transports = data.getTransports() == null
                                    ? List.of()
                                    : data.getTransports().stream()
                                            .map(AuthenticatorTransport::getValue)
                                            .limit(10)
                                            .toList();
                            UUID id = UUID.randomUUID();
                            return repository
                                    .count(t, caller.userId())
                                    .compose(n -> n >= MAX_PER_USER
                                            ? Future.<Void>failedFuture(new Conflict(
                                                    "too-many-passkeys",
                                                    "You have " + MAX_PER_USER + " passkeys: remove one first"))
                                            : Future.<Void>succeededFuture())
                                    .compose(x -> repository.insert(
                                            t,
                                            id,
                                            caller.userId(),
                                            acd.getCredentialId(),
                                            name.trim(),
                                            credentialData.convert(acd),
                                            authData.getSignCount(),
                                            authData.isFlagUV(),
                                            authData.isFlagBE(),
                                            authData.isFlagBS(),
                                            discoverable,
                                            transports))
                                    .recover(e -> e instanceof io.vertx.pgclient.PgException pg
                                                    && "23505".equals(pg.getSqlState())
                                            ? Future.failedFuture(new Conflict(
                                                    "passkey-exists", "This passkey is registered already"))
                                            : Future.failedFuture(e))
                                    .compose(x -> audit.append(
                                            t,
                                            AuditEvent.by(
                                                            caller.userId(),
                                                            "user.second-factor-enrolled",
                                                            "user",
                                                            caller.userId(),
                                                            source)
                                                    .with("factor", "passkey")
                                                    .with("passkeyName", name.trim())))
                                    .compose(x -> repository.ofUser(t, caller.userId()))
                                    .map(rows -> rows.stream()
                                            .filter(r -> r.getUUID("id").equals(id))
                                            .findFirst()
                                            .map(PasskeyRepository::toJson)
                                            .orElseThrow());
                        }));
    }

    public Future<JsonObject> rename(Caller caller, UUID id, String name, String source) {
        return db.inOrganization(
                caller.organizationId(),
                t -> repository.rename(t, caller.userId(), id, name.trim()).compose(old -> {
                    if (old == null) {
                        return Future.<JsonObject>failedFuture(new NotFound("You have no such passkey"));
                    }
                    return audit.append(
                                    t,
                                    AuditEvent.by(
                                                    caller.userId(),
                                                    "user.passkey-renamed",
                                                    "user",
                                                    caller.userId(),
                                                    source)
                                            .with("passkeyId", id.toString())
                                            .with("from", old)
                                            .with("to", name.trim()))
                            .compose(x -> repository.ofUser(t, caller.userId()))
                            .map(rows -> rows.stream()
                                    .filter(r -> r.getUUID("id").equals(id))
                                    .findFirst()
                                    .map(PasskeyRepository::toJson)
                                    .orElseThrow());
                }));
    }

    /**
     * Removes one of the caller's passkeys; refused when it is their last second factor and the organization
     * requires one of them (the rule of TOTP: an admin's reset is the way out).
     */
    public Future<Void> remove(Caller caller, UUID id, boolean otherFactorLeft, boolean required, String source) {
        return db.inOrganization(
                caller.organizationId(),
                t -> repository.count(t, caller.userId()).compose(n -> {
                    if (required && !otherFactorLeft && n <= 1) {
                        return repository
                                .ofUser(t, caller.userId())
                                .compose(rows -> rows.stream()
                                                .anyMatch(r -> r.getUUID("id").equals(id))
                                        ? Future.<Void>failedFuture(new Conflict(
                                                "second-factor-required",
                                                "Your organization requires a second factor of you: add another passkey or"
                                                        + " an authenticator app before removing your last one"))
                                        : Future.<Void>failedFuture(new NotFound("You have no such passkey")));
                    }
                    return repository
                            .delete(t, caller.userId(), id)
                            .compose(name -> name == null
                                    ? Future.<Void>failedFuture(new NotFound("You have no such passkey"))
                                    : audit.append(
                                            t,
                                            AuditEvent.by(
                                                            caller.userId(),
                                                            "user.second-factor-removed",
                                                            "user",
                                                            caller.userId(),
                                                            source)
                                                    .with("factor", "passkey")
                                                    .with("passkeyName", name)));
                }));
    }

    /**
     * Options for navigator.credentials.get. Passwordless: no allow-list (the authenticator offers its discoverable
     * passkeys for this rpId), user verification required. Otherwise the user's passkeys, verification preferred.
     */
    public Future<JsonObject> assertionOptions(
            Tenant t, UUID userId, String purpose, byte[] binding, boolean userVerificationRequired) {
        byte[] challenge = newChallenge();
        Future<List<Row>> allowed = userId == null ? Future.succeededFuture(List.of()) : repository.ofUser(t, userId);
        return allowed.compose(rows -> {
            if (userId != null && rows.isEmpty()) {
                return Future.<JsonObject>failedFuture(new Conflict("no-passkey", "You have no passkey set up"));
            }
            JsonObject options = new JsonObject()
                    .put("challenge", Base64UrlUtil.encodeToString(challenge))
                    .put("rpId", rpId())
                    .put("timeout", CEREMONY_LIFETIME.toMillis())
                    .put("userVerification", userVerificationRequired ? "required" : "preferred")
                    .put("allowCredentials", descriptors(rows));
            return repository
                    .beginCeremony(
                            t == null ? null : t.conn(),
                            Tokens.sha256(Base64UrlUtil.encodeToString(challenge)),
                            t == null ? null : t.org(),
                            userId,
                            purpose,
                            binding,
                            expiry())
                    .map(x -> new JsonObject().put("publicKey", options));
        });
    }

    /** Passwordless options: before any organization is known, counted per address like a sign-in attempt. */
    public Future<JsonObject> passwordlessOptions(String source) {
        return throttle.reserveAttempt(source).compose(x -> {
            byte[] challenge = newChallenge();
            JsonObject options = new JsonObject()
                    .put("challenge", Base64UrlUtil.encodeToString(challenge))
                    .put("rpId", rpId())
                    .put("timeout", CEREMONY_LIFETIME.toMillis())
                    .put("userVerification", "required")
                    .put("allowCredentials", new JsonArray());
            return db.withoutOrganization(c -> repository.beginCeremony(
                            c,
                            Tokens.sha256(Base64UrlUtil.encodeToString(challenge)),
                            null,
                            null,
                            PASSWORDLESS,
                            null,
                            expiry()))
                    .map(y -> new JsonObject().put("publicKey", options));
        });
    }

    /**
     * Verifies navigator.credentials.get's answer to a ceremony of {@code purpose} bound to {@code binding}: the
     * ceremony is taken (once) first, the attempt counted by the throttle, then webauthn4j checks origin, rpId hash,
     * challenge, signature, user presence (and verification when required) and the counter. A failure is audited in
     * the passkey owner's organization (never the assertion) and answers 401 {@code invalid-second-factor}.
     * {@code expectedUser}: the user the ceremony must be for (null for passwordless: the passkey says whose it is).
     */
    public Future<Verified> verify(
            JsonObject credential, String purpose, byte[] binding, boolean userVerificationRequired, String source) {
        AuthenticationData data;
        try {
            data = manager.parseAuthenticationResponseJSON(credential.encode());
        } catch (RuntimeException e) {
            return Future.failedFuture(notAPasskey());
        }
        if (data.getCollectedClientData() == null
                || data.getCollectedClientData().getChallenge() == null
                || data.getCredentialId() == null) {
            return Future.failedFuture(notAPasskey());
        }
        byte[] challenge = data.getCollectedClientData().getChallenge().getValue();
        byte[] credentialId = data.getCredentialId();
        Future<Void> counted =
                PASSWORDLESS.equals(purpose) ? throttle.reserveAttempt(source) : Future.succeededFuture();
        return counted.compose(x -> db.withoutOrganization(c -> repository
                        .takeCeremony(c, Tokens.sha256(Base64UrlUtil.encodeToString(challenge)), purpose, binding)
                        .compose(ceremony -> {
                            if (ceremony == null) {
                                return Future.<Row>succeededFuture(null);
                            }
                            if (ceremony.getUUID("organization_id") != null) {
                                return Future.succeededFuture(ceremony);
                            }
                            return repository.owner(c, credentialId);
                        })))
                .compose(owner -> {
                    if (owner == null) {
                        return Future.<Verified>failedFuture(expired());
                    }
                    UUID org = owner.getUUID("organization_id");
                    UUID userId = owner.getUUID("user_id");
                    return throttle.reserveSecondFactor(userId, source)
                            .compose(y -> db.inOrganization(
                                    org,
                                    t -> check(
                                            t,
                                            userId,
                                            data,
                                            challenge,
                                            credentialId,
                                            userVerificationRequired,
                                            purpose,
                                            source)))
                            .compose(failure -> failure == null
                                    ? throttle.secondFactorSucceeded(userId, source)
                                            .map(new Verified(
                                                    org,
                                                    userId,
                                                    data.getAuthenticatorData() != null
                                                            && data.getAuthenticatorData()
                                                                    .isFlagUV()))
                                    : Future.<Verified>failedFuture(Unauthenticated.wrongSecondFactor(failure)));
                });
    }

    /** Inside the owner's organization: null when the assertion is good (counter stored), else why it is not. */
    private Future<String> check(
            Tenant t,
            UUID userId,
            AuthenticationData data,
            byte[] challenge,
            byte[] credentialId,
            boolean userVerificationRequired,
            String purpose,
            String source) {
        return repository.byCredentialId(t, userId, credentialId).compose(row -> {
            if (row == null) {
                return failed(t, userId, purpose, "unknown-passkey", source)
                        .map("This passkey is not one of yours here");
            }
            UUID id = row.getUUID("id");
            if (row.getOffsetDateTime("clone_warning_at") != null) {
                return failed(t, userId, purpose, "clone-warning", source)
                        .map("This passkey was refused because it may have been copied: remove it and add it again");
            }
            if (data.getUserHandle() != null
                    && data.getUserHandle().length > 0
                    && !java.util.Arrays.equals(data.getUserHandle(), userHandle(userId))) {
                return failed(t, userId, purpose, "wrong-user-handle", source).map("This passkey is not yours");
            }
            AttestedCredentialData acd = credentialData.convert(
                    row.getBuffer("attested_credential_data").getBytes());
            Set<AuthenticatorTransport> transports = java.util.Arrays.stream(row.getArrayOfStrings("transports"))
                    .map(AuthenticatorTransport::create)
                    .collect(Collectors.toSet());
            CredentialRecordImpl record = new CredentialRecordImpl(
                    new NoneAttestationStatement(),
                    row.getBoolean("uv_initialized"),
                    row.getBoolean("backup_eligible"),
                    row.getBoolean("backup_state"),
                    row.getLong("sign_count"),
                    acd,
                    null,
                    null,
                    null,
                    transports);
            try {
                manager.verify(
                        data,
                        new AuthenticationParameters(
                                new ServerProperty(new Origin(origin()), rpId(), new DefaultChallenge(challenge)),
                                record,
                                List.of(credentialId),
                                userVerificationRequired,
                                true));
            } catch (MaliciousCounterValueException e) {
                return repository
                        .cloneWarning(t, id)
                        .compose(y -> audit.append(
                                t,
                                AuditEvent.by(null, "user.passkey-clone-warning", "user", userId, source)
                                        // the mail outbox writes to the owner (and the admins) by this id
                                        .with("ownerUserId", userId.toString())
                                        .with("passkeyId", id.toString())
                                        .with("passkeyName", row.getString("name"))
                                        .with("storedCounter", row.getLong("sign_count"))
                                        .with(
                                                "presentedCounter",
                                                data.getAuthenticatorData().getSignCount())))
                        .map("This passkey's counter went backwards, so it may have been copied: it is refused,"
                                + " remove it and add it again");
            } catch (RuntimeException e) {
                return failed(t, userId, purpose, reason(e), source).map("The passkey could not be verified");
            }
            return repository
                    .used(
                            t,
                            id,
                            data.getAuthenticatorData().getSignCount(),
                            data.getAuthenticatorData().isFlagBS())
                    .map((String) null);
        });
    }

    private Future<Void> failed(Tenant t, UUID userId, String purpose, String reason, String source) {
        return audit.append(
                t,
                AuditEvent.by(userId, "session.second-factor-failed", "user", userId, source)
                        .with("during", STEP_UP.equals(purpose) ? "step-up" : "sign-in")
                        .with("method", "passkey")
                        .with("reason", reason));
    }

    /** A short, fixed reason (the verifier's class name), never the assertion. */
    private static String reason(Throwable e) {
        String n = e.getClass().getSimpleName().replace("Exception", "");
        return n.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Invalid notAPasskey() {
        return new Invalid("credential", "This is not a passkey's answer (navigator.credentials): try again");
    }

    private static Unauthenticated expired() {
        return Unauthenticated.wrongSecondFactor(
                "This passkey request has expired, was used already or is not this sign-in's: try again");
    }

    /** Whether the user has a passkey (a second factor). */
    public Future<Boolean> has(Tenant t, UUID userId) {
        return repository.count(t, userId).map(n -> n > 0);
    }

    Future<Void> deleteAllOf(Tenant t, UUID userId) {
        return repository.deleteAllOf(t, userId);
    }
}
