package io.keysmith.errors;

/** Not there, or not the caller's to see: another organization's resource is simply absent. */
public final class NotFound extends DomainException {
    public NotFound(String detail) {
        super("not-found", detail, null);
    }
}
