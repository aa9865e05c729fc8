import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * ES256 through Nimbus as the token endpoint signs (one ECDSASigner per key, sign per token), SunEC (the JDK's
 * default) against Bouncy Castle's provider set on the signer's JCA context; verification likewise. Alternated
 * rounds (order flipped each round) in one JVM, so the machine's load falls on both alike; the ratio per round.
 *   java -cp nimbus.jar:bcprov.jar bench/Es256Sign.java [rounds] [seconds per measurement]
 */
public class Es256Sign {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        Provider bc = new BouncyCastleProvider();
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
        ECDSASigner sun = new ECDSASigner(key);
        ECDSASigner bcs = new ECDSASigner(key);
        bcs.getJCAContext().setProvider(bc);
        ECDSAVerifier sunV = new ECDSAVerifier(key.toPublicJWK());
        ECDSAVerifier bcV = new ECDSAVerifier(key.toPublicJWK());
        bcV.getJCAContext().setProvider(bc);
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID("0b7c2b1e-4b0b-4a57-9d43-2f4d0f0d8a11")
                .build();
        // about the size of an access token's claims
        String claims = "{\"iss\":\"http://keysmith.bench\",\"sub\":\"6c5b0f5e-9b0e-4d4c-8f5e-3f1f2b8d9a10\","
                + "\"aud\":\"http://keysmith.bench/api/v1\",\"iat\":1764700000,\"nbf\":1764700000,\"exp\":1764703600,"
                + "\"jti\":\"7a1c7d4e-2f4b-4a8e-9e5a-1d2c3b4a5f60\",\"client_id\":\"0f9e8d7c-6b5a-4938-a716-2b3c4d5e6f70\","
                + "\"scope\":\"people:read people:write\",\"org_id\":\"1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9\"}";
        // both sign tokens the other verifies: the signatures are interchangeable (JWS R||S)
        JWSObject a = sign(header, claims, bcs);
        JWSObject b = sign(header, claims, sun);
        if (!JWSObject.parse(a.serialize()).verify(sunV) || !JWSObject.parse(b.serialize()).verify(bcV)) {
            throw new AssertionError("a signature of one provider does not verify with the other");
        }
        String signed = b.serialize();
        // warm-up (JIT) for both: Bouncy Castle's code is all Java and needs the longer warm-up
        for (int i = 0; i < 4; i++) {
            signOps(header, claims, sun, 1);
            signOps(header, claims, bcs, 1);
            verifyOps(signed, sunV, 1);
            verifyOps(signed, bcV, 1);
        }
        List<Double> signRatios = new ArrayList<>();
        List<Double> verifyRatios = new ArrayList<>();
        System.out.printf("%-6s %14s %14s %8s   %14s %14s %8s%n",
                "round", "sign SunEC/s", "sign BC/s", "BC÷Sun", "verify SunEC/s", "verify BC/s", "BC÷Sun");
        for (int r = 1; r <= rounds; r++) {
            boolean sunFirst = r % 2 == 1;
            double s1, s2, v1, v2;
            if (sunFirst) {
                s1 = signOps(header, claims, sun, seconds);
                s2 = signOps(header, claims, bcs, seconds);
                v1 = verifyOps(signed, sunV, seconds);
                v2 = verifyOps(signed, bcV, seconds);
            } else {
                s2 = signOps(header, claims, bcs, seconds);
                s1 = signOps(header, claims, sun, seconds);
                v2 = verifyOps(signed, bcV, seconds);
                v1 = verifyOps(signed, sunV, seconds);
            }
            signRatios.add(s2 / s1);
            verifyRatios.add(v2 / v1);
            System.out.printf("%-6d %14.0f %14.0f %8.2f   %14.0f %14.0f %8.2f%n", r, s1, s2, s2 / s1, v1, v2, v2 / v1);
        }
        System.out.printf("median ratio BC÷SunEC: sign %.2f (min %.2f, max %.2f), verify %.2f (min %.2f, max %.2f)%n",
                median(signRatios), signRatios.stream().mapToDouble(d -> d).min().orElse(0),
                signRatios.stream().mapToDouble(d -> d).max().orElse(0), median(verifyRatios),
                verifyRatios.stream().mapToDouble(d -> d).min().orElse(0),
                verifyRatios.stream().mapToDouble(d -> d).max().orElse(0));
    }

    static JWSObject sign(JWSHeader header, String claims, JWSSigner signer) throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(claims));
        jws.sign(signer);
        return jws;
    }

    static double signOps(JWSHeader header, String claims, JWSSigner signer, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() < end) {
            sink = sign(header, claims, signer).serialize();
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double verifyOps(String token, JWSVerifier verifier, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() < end) {
            if (!JWSObject.parse(token).verify(verifier)) {
                throw new AssertionError("not verified");
            }
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
