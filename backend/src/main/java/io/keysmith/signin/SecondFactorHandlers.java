package io.keysmith.signin;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** HTTP side of one's own second factors, an admin's reset of a user's, and the organization's sign-in policy. */
public final class SecondFactorHandlers {
    private final SecondFactorService service;
    private final PasskeyService passkeys;
    private final ClientAddress client;

    public SecondFactorHandlers(SecondFactorService service, PasskeyService passkeys, ClientAddress client) {
        this.service = service;
        this.passkeys = passkeys;
        this.client = client;
    }

    public void listPasskeys(RoutingContext rc) {
        passkeys.list(Caller.of(rc)).onSuccess(s -> Responses.ok(rc, s)).onFailure(rc::fail);
    }

    public void passkeyRegistrationOptions(RoutingContext rc) {
        passkeys.registrationOptions(Caller.of(rc))
                .onSuccess(s -> Responses.ok(rc, s))
                .onFailure(rc::fail);
    }

    public void registerPasskey(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        passkeys.register(Caller.of(rc), body.getString("name"), body.getJsonObject("credential"), client.address(rc))
                .onSuccess(s -> Responses.json(rc, 201, s))
                .onFailure(rc::fail);
    }

    public void renamePasskey(RoutingContext rc) {
        UUID id = UUID.fromString(RequestValidation.input(rc).pathString("passkeyId"));
        JsonObject body = RequestValidation.input(rc).bodyObject();
        passkeys.rename(Caller.of(rc), id, body.getString("name"), client.address(rc))
                .onSuccess(s -> Responses.ok(rc, s))
                .onFailure(rc::fail);
    }

    /** Removes a passkey; the status first: is another factor left, does the policy require one of the caller. */
    public void removePasskey(RoutingContext rc) {
        UUID id = UUID.fromString(RequestValidation.input(rc).pathString("passkeyId"));
        Caller caller = Caller.of(rc);
        service.status(caller)
                .compose(s ->
                        passkeys.remove(caller, id, s.getBoolean("totp"), s.getBoolean("required"), client.address(rc)))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    public void status(RoutingContext rc) {
        service.status(Caller.of(rc)).onSuccess(s -> Responses.ok(rc, s)).onFailure(rc::fail);
    }

    public void startTotp(RoutingContext rc) {
        service.startTotp(Caller.of(rc))
                .onSuccess(s -> Responses.json(rc, 201, s))
                .onFailure(rc::fail);
    }

    public void confirmTotp(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        service.confirmTotp(Caller.of(rc), body.getString("code"), client.address(rc))
                .onSuccess(s -> Responses.ok(rc, s))
                .onFailure(rc::fail);
    }

    public void removeTotp(RoutingContext rc) {
        service.removeTotp(Caller.of(rc), client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    public void reset(RoutingContext rc) {
        UUID userId = UUID.fromString(RequestValidation.input(rc).pathString("userId"));
        service.reset(Caller.of(rc), userId, client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    public void policy(RoutingContext rc) {
        service.policy(Caller.of(rc)).onSuccess(p -> Responses.ok(rc, p)).onFailure(rc::fail);
    }

    public void savePolicy(RoutingContext rc) {
        service.savePolicy(Caller.of(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(p -> Responses.ok(rc, p))
                .onFailure(rc::fail);
    }
}
