package io.keysmith.auth;

import io.keysmith.errors.TooMany;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/**
 * Sign-ins and sign-ups counted in fixed windows, in PostgreSQL so every replica counts together. Sign-in: failures
 * per account and per source address, and every attempt per address (a success clears the account's failures and
 * gives the address its failure back, but never its attempt: an address cannot refill its budget by signing in to
 * its own account). Sign-up: every attempt per address and per e-mail. Over a limit: 429 with Retry-After until the
 * window ends.
 */
public final class SignInThrottle {
    /** Sign-up limits per window: per source address and per (lower-cased) e-mail. */
    public record SignUpLimits(int perAddress, int perEmail, Duration window) {}

    private final Pool pool;
    private final SignInRepository repository;
    private final int perAccount;
    private final int perAddress;
    private final int attemptsPerAddress;
    private final Duration window;
    private final SignUpLimits signUp;

    public SignInThrottle(
            Pool pool,
            SignInRepository repository,
            int perAccount,
            int perAddress,
            int attemptsPerAddress,
            Duration window,
            SignUpLimits signUp) {
        this.pool = pool;
        this.repository = repository;
        this.perAccount = perAccount;
        this.perAddress = perAddress;
        this.attemptsPerAddress = attemptsPerAddress;
        this.window = window;
        this.signUp = signUp;
    }

    static String accountKey(String email) {
        return "account:" + email.trim().toLowerCase();
    }

    static String addressKey(String address) {
        return "address:" + address;
    }

    static String attemptsKey(String address) {
        return "attempts:" + address;
    }

    /** Counts a sign-up attempt per address and per e-mail before any work is done; 429 over either limit. */
    public Future<Void> reserveSignUp(String email, String address) {
        return count(
                new String[] {
                    "signup-address:" + address, "signup-email:" + email.trim().toLowerCase()
                },
                new int[] {signUp.perAddress(), signUp.perEmail()},
                signUp.window(),
                "Too many sign-ups");
    }

    /**
     * Counts this attempt before the password is checked, atomically per key (one upsert returning the new counts),
     * so parallel guesses cannot all slip under the limit. Fails with a 429 problem when either key is over it.
     */
    public Future<Void> reserve(String email, String address) {
        return count(
                new String[] {accountKey(email), addressKey(address), attemptsKey(address)},
                new int[] {perAccount, perAddress, attemptsPerAddress},
                window,
                "Too many sign-in attempts");
    }

    /** Counts a sign-in attempt of the address that checks no password (single sign-on); 429 over the budget. */
    public Future<Void> reserveAttempt(String address) {
        return count(
                new String[] {attemptsKey(address)},
                new int[] {attemptsPerAddress},
                window,
                "Too many sign-in attempts");
    }

    /** One upsert over all keys returning the new counts: parallel attempts cannot all slip under a limit. */
    private Future<Void> count(String[] keys, int[] limits, Duration window, String what) {
        return repository.count(pool, keys, window).compose(rows -> {
            int retry = 0;
            for (var r : rows) {
                int limit = limits[java.util.Arrays.asList(keys).indexOf(r.getString("throttle_key"))];
                if (r.getInteger("failures") > limit) {
                    retry = Math.max(retry, Math.max(1, r.getInteger("retry")));
                }
            }
            return retry == 0 ? Future.succeededFuture() : Future.failedFuture(tooMany(what, retry));
        });
    }

    /**
     * Counts a second-factor attempt (a TOTP or recovery code at sign-in, step-up or enrolment) like a password:
     * failures per user (the account's limit) and per source address, and every attempt per address.
     */
    public Future<Void> reserveSecondFactor(java.util.UUID userId, String address) {
        return count(
                new String[] {factorKey(userId), addressKey(address), attemptsKey(address)},
                new int[] {perAccount, perAddress, attemptsPerAddress},
                window,
                "Too many second-factor attempts");
    }

    /** A right second factor: the user's factor failures start afresh, the address gets its failure back. */
    public Future<Void> secondFactorSucceeded(java.util.UUID userId, String address) {
        return repository.succeeded(pool, factorKey(userId), addressKey(address));
    }

    static String factorKey(java.util.UUID userId) {
        return "factor:" + userId;
    }

    /**
     * A successful sign-in: the account starts afresh and the address gets back the failure this attempt was counted
     * as; its attempt stays counted.
     */
    public Future<Void> succeeded(String email, String address) {
        return repository.succeeded(pool, accountKey(email), addressKey(address));
    }

    static TooMany tooMany(String what, int retryAfterSeconds) {
        return new TooMany(what + "; try again in " + retryAfterSeconds + " seconds", retryAfterSeconds);
    }
}
