package io.keysmith.errors;

/** The caller is known but may not do this; {@code code} says which rule refused (escalation, record scope, ...). */
public final class Forbidden extends DomainException {
    private final String permission;

    public Forbidden(String code, String detail, String field) {
        this(code, detail, field, null);
    }

    private Forbidden(String code, String detail, String field, String permission) {
        super(code, detail, field);
        this.permission = permission;
    }

    /** The operation needs {@code permission}, which the caller's access level (or key) does not grant. */
    public static Forbidden missing(String permission) {
        return new Forbidden("permission-missing", "This needs the permission '" + permission + "'", null, permission);
    }

    /** Granting, assigning or acting beyond what the caller holds. */
    public static Forbidden escalation(String detail, String field) {
        return new Forbidden("escalation", detail, field);
    }

    /** Any other rule of who may do what. */
    public static Forbidden because(String detail) {
        return because(detail, null);
    }

    public static Forbidden because(String detail, String field) {
        return new Forbidden("forbidden", detail, field);
    }

    /** The permission that was missing, for {@link #missing}; null otherwise. */
    public String permission() {
        return permission;
    }
}
