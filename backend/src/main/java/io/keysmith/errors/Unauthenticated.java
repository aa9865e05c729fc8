package io.keysmith.errors;

/** Nobody (or nobody we could verify) is calling. */
public final class Unauthenticated extends DomainException {
    private Unauthenticated(String code, String detail) {
        super(code, detail, null);
    }

    /** No session, key or operator token came with the request. */
    public static Unauthenticated required() {
        return new Unauthenticated("unauthenticated", null);
    }

    /** A second factor at sign-in that is wrong, used already, or whose sign-in challenge expired. */
    public static Unauthenticated wrongSecondFactor(String detail) {
        return new Unauthenticated("invalid-second-factor", detail);
    }

    /** A sign-in whose e-mail or password is wrong; one answer for both, so it reveals no account. */
    public static Unauthenticated wrongCredentials() {
        return new Unauthenticated("invalid-credentials", "The e-mail or password is wrong");
    }

    /** A sign-in through an identity provider that was refused; {@code code} says at which step (sso-...). */
    public static Unauthenticated sso(String code, String detail) {
        return new Unauthenticated(code, detail);
    }
}
