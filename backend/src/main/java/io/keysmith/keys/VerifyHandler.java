package io.keysmith.keys;

import io.keysmith.errors.Invalid;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Exchange;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * verify's handler, the last step of its route (the router's and the raw path's alike): for gateways, the verdict on
 * another key of the gateway's own organization (the gateway's key was verified by the route); never reveals other
 * organizations. Failures are throttled per {@code ipAddress} when given, else per the gateway's address.
 */
final class VerifyHandler implements Exchange.Step {
    private final ClientAddress client;
    private final KeyVerifier verifier;

    VerifyHandler(ClientAddress client, KeyVerifier verifier) {
        this.client = client;
        this.verifier = verifier;
    }

    @Override
    public void handle(Exchange rc) {
        long start = System.nanoTime();
        Verification.Valid gateway = rc.get(KeyVerifier.VERIFIED);
        UUID gatewayOrg = gateway.key().organizationId();
        JsonObject body = ((RequestValidation.Input) rc.get(RequestValidation.INPUT)).bodyObject();
        String ip = null;
        if (body.getString("ipAddress") != null) {
            ip = KeyVerifier.ipLiteral(body.getString("ipAddress"));
            if (ip == null) {
                throw new Invalid("ipAddress", "Field 'ipAddress' is not an IP address");
            }
        }
        String address = ip != null ? ip : client.address(rc.request());
        if (verifier.throttled(address)) {
            throw KeyAuthHandler.problem(Verification.Refused.of(Verification.Reason.THROTTLED), false);
        }
        JsonArray wanted = body.getJsonArray("permissions");
        String meteredAddress = ip;
        long cost = body.getLong("cost", 1L); // 0..1000, the contract's bounds (validated before this step)
        verifier.verify(body.getString("key"), ip, null, gatewayOrg)
                .onSuccess(v -> {
                    if (v instanceof Verification.Refused r) {
                        verifier.failed(address, r);
                        String code = switch (r.reason()) {
                            case MALFORMED, UNKNOWN, OTHER_ORGANIZATION -> "NOT_FOUND";
                            default -> r.reason().name();
                        };
                        verifier.recordUse(v, "verify", 401, meteredAddress);
                        verifier.verification(gatewayOrg, code, System.nanoTime() - start);
                        Responses.json(rc, 200, VerifyAnswer.refused(code));
                        return;
                    }
                    KeyPrincipal p = ((Verification.Valid) v).key();
                    boolean permitted = permits(p, wanted);
                    // a verification spends the verified key's budget and cost of its quota, as the request it
                    // stands for would
                    Future<Verification> admitted =
                            permitted ? verifier.admit((Verification.Valid) v, cost) : Future.succeededFuture(v);
                    admitted.onSuccess(limited -> answer(rc, body, start, p, permitted, limited, meteredAddress))
                            .onFailure(rc::fail);
                })
                .onFailure(rc::fail);
    }

    private static boolean permits(KeyPrincipal p, JsonArray wanted) {
        if (wanted != null) {
            for (int i = 0; i < wanted.size(); i++) {
                if (!p.rights().has(wanted.getString(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    private void answer(
            Exchange rc,
            JsonObject body,
            long start,
            KeyPrincipal p,
            boolean permitted,
            Verification limited,
            String meteredAddress) {
        KeyUsage.Limit limit =
                limited instanceof Verification.Valid ok ? ok.limit() : ((Verification.Refused) limited).limit();
        Quotas.State quota =
                limited instanceof Verification.Valid ok ? ok.quota() : ((Verification.Refused) limited).quota();
        boolean allowed = permitted && limited instanceof Verification.Valid;
        String code = !permitted
                ? "INSUFFICIENT_PERMISSIONS"
                : allowed ? "VALID" : ((Verification.Refused) limited).reason().name();
        verifier.recordUse(limited, "verify", !permitted ? 403 : allowed ? 200 : 429, meteredAddress);
        verifier.verification(p.organizationId(), code, System.nanoTime() - start);
        // written directly, byte for byte what the JSON tree gave (VerifyAnswerTest)
        Responses.json(
                rc,
                200,
                VerifyAnswer.valid(
                        allowed,
                        code,
                        p,
                        limit != null && limit.limit() > 0 && body.getBoolean("includeRemaining", false) ? limit : null,
                        AccessTokens.looksLikeToken(body.getString("key")),
                        limit,
                        quota));
    }
}
