package io.keysmith.keys;

import io.keysmith.errors.Invalid;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Exchange;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
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
                    boolean permitted = true;
                    if (wanted != null) {
                        for (int i = 0; i < wanted.size(); i++) {
                            permitted &= p.rights().has(wanted.getString(i));
                        }
                    }
                    // a verification spends the verified key's budget, as the request it stands for would
                    Verification limited = permitted ? verifier.limit((Verification.Valid) v) : v;
                    KeyUsage.Limit limit = limited instanceof Verification.Valid ok
                            ? ok.limit()
                            : ((Verification.Refused) limited).limit();
                    boolean allowed = permitted && limited instanceof Verification.Valid;
                    String code = !permitted ? "INSUFFICIENT_PERMISSIONS" : allowed ? "VALID" : "RATE_LIMITED";
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
                                    limit != null && limit.limit() > 0 && body.getBoolean("includeRemaining", false)
                                            ? limit
                                            : null,
                                    AccessTokens.looksLikeToken(body.getString("key")),
                                    limit));
                })
                .onFailure(rc::fail);
    }
}
