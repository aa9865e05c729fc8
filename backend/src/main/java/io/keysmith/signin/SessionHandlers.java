package io.keysmith.signin;

import io.keysmith.auth.Caller;
import io.keysmith.auth.SessionService;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** HTTP side of sign-in, sign-out, /me and invitations; the session travels in an HttpOnly, SameSite cookie. */
public final class SessionHandlers {
    private final SignInService signIn;
    private final SessionService sessions;
    private final ClientAddress client;

    public SessionHandlers(SignInService signIn, SessionService sessions, ClientAddress client) {
        this.signIn = signIn;
        this.sessions = sessions;
        this.client = client;
    }

    public void signIn(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        String org = body.getString("organizationId");
        signIn.signIn(
                        body.getString("email"),
                        body.getString("password"),
                        org == null ? null : UUID.fromString(org),
                        client.address(rc))
                .onSuccess(outcome -> answer(rc, outcome))
                .onFailure(rc::fail);
    }

    void answer(RoutingContext rc, SignInService.Outcome outcome) {
        if (outcome.challenge() != null) {
            Responses.ok(
                    rc,
                    new JsonObject()
                            .put("status", "SECOND_FACTOR_REQUIRED")
                            .put("challenge", outcome.challenge())
                            .put("methods", new io.vertx.core.json.JsonArray(outcome.methods())));
        } else if (outcome.sessionToken() == null) {
            Responses.ok(
                    rc,
                    new JsonObject()
                            .put("status", "CHOOSE_ORGANIZATION")
                            .put("organizations", outcome.organizations()));
        } else {
            setCookie(rc, outcome.sessionToken());
            Responses.ok(rc, new JsonObject().put("status", "SIGNED_IN").put("me", outcome.me()));
        }
    }

    public void completeSignIn(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        signIn.completeSignIn(
                        body.getString("challenge"),
                        body.getString("code"),
                        body.getString("recoveryCode"),
                        client.address(rc))
                .onSuccess(outcome -> answer(rc, outcome))
                .onFailure(rc::fail);
    }

    public void stepUp(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        signIn.stepUp(
                        Caller.of(rc),
                        body.getString("password"),
                        body.getString("code"),
                        body.getString("recoveryCode"),
                        body.getJsonObject("passkey"),
                        client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    public void passkeyOptions(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        signIn.passkeyOptions(body == null ? null : body.getString("challenge"), client.address(rc))
                .onSuccess(o -> Responses.ok(rc, o))
                .onFailure(rc::fail);
    }

    public void signInWithPasskey(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        signIn.signInWithPasskey(body.getJsonObject("credential"), body.getString("challenge"), client.address(rc))
                .onSuccess(outcome -> answer(rc, outcome))
                .onFailure(rc::fail);
    }

    public void stepUpPasskeyOptions(RoutingContext rc) {
        signIn.stepUpPasskeyOptions(Caller.of(rc))
                .onSuccess(o -> Responses.ok(rc, o))
                .onFailure(rc::fail);
    }

    public void signOut(RoutingContext rc) {
        signIn.signOut(Caller.of(rc), client.address(rc))
                .onSuccess(x -> {
                    rc.response().addCookie(cookie(rc, "").setMaxAge(0));
                    rc.response().setStatusCode(204).end();
                })
                .onFailure(rc::fail);
    }

    public void me(RoutingContext rc) {
        signIn.me(Caller.of(rc)).onSuccess(me -> Responses.ok(rc, me)).onFailure(rc::fail);
    }

    public void acceptInvitation(RoutingContext rc) {
        JsonObject body = RequestValidation.input(rc).bodyObject();
        signIn.acceptInvitation(body.getString("token"), body.getString("password"), client.address(rc))
                .onSuccess(outcome -> {
                    if (outcome.sessionToken() == null) {
                        rc.fail(new io.keysmith.errors.Conflict(
                                "second-factor-required",
                                "Your new password is set. Sign in with it and a code from your authenticator app"));
                        return;
                    }
                    setCookie(rc, outcome.sessionToken());
                    Responses.ok(rc, outcome.me());
                })
                .onFailure(rc::fail);
    }

    public void setCookie(RoutingContext rc, String token) {
        rc.response()
                .addCookie(
                        cookie(rc, token).setMaxAge(sessions.absoluteLifetime().toSeconds()));
    }

    private Cookie cookie(RoutingContext rc, String value) {
        return Cookie.cookie(SessionService.COOKIE, value)
                .setPath("/")
                .setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT)
                .setSecure(client.isHttps(rc));
    }
}
