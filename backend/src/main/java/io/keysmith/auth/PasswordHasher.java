package io.keysmith.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id at OWASP's recommended cost (m = 19 MiB, t = 2, p = 1), in PHC string format so the cost can be raised
 * later without invalidating stored hashes. Hashing is deliberately slow, so it runs on a small, bounded worker
 * pool of its own: never on an event loop, and a burst of sign-ins cannot starve other blocking work.
 */
public final class PasswordHasher {
    static final int MEMORY_KIB = 19 * 1024;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final WorkerExecutor workers;
    private final HashingGate gate;

    /**
     * {@code burst} hashes per source address at once, then {@code perSecond}; one running and {@code queued}
     * waiting per address (2 by default): enough for a person (and an office behind one address), not enough to hog
     * the pool.
     */
    public PasswordHasher(Vertx vertx, int threads, int burst, double perSecond, int queued) {
        this.workers = vertx.createSharedWorkerExecutor("keysmith-password-hashing", threads);
        this.gate = new HashingGate(threads, queued, burst, perSecond);
    }

    /**
     * Admission before any other work of a request that will hash (sign-in, sign-up, accepting a link): fails with
     * 429 when the address has used up its share; cheap, in memory.
     */
    public Future<Void> admit(String address) {
        return gate.admit(address)
                ? Future.succeededFuture()
                : Future.failedFuture(HashingGate.busy(gate.retryAfter(address)));
    }

    /**
     * The PHC string of {@code password} with the person's salt (see {@link PasswordSalts}) at the current cost: what
     * a new password is stored as, and the one Argon2 computation of a sign-in, compared with every membership's
     * stored string ({@link #sameHash}). Through the gate, so one source address cannot occupy the pool.
     */
    public Future<String> hash(String password, String salt, String address) {
        return gate.submit(address, () -> workers.executeBlocking(() -> hashNow(password, salt), false));
    }

    /** Constant-time equality of two PHC strings (salt, cost and hash alike). */
    public static boolean sameHash(String a, String b) {
        return a != null
                && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh random salt, base64 without padding as in the PHC string. */
    public static String newSalt() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return B64.encodeToString(salt);
    }

    /** Blocking: for start-up work such as the demo seed, never on an event loop. */
    public static String hashNow(String password) {
        return hashNow(password, newSalt());
    }

    static String hashNow(String password, String salt) {
        byte[] out = derive(password, B64D.decode(salt), MEMORY_KIB, ITERATIONS, PARALLELISM);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + salt + "$"
                + B64.encodeToString(out);
    }

    static boolean verifyNow(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id")) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : parts[3].split(",")) {
            String[] pair = kv.split("=");
            int v = Integer.parseInt(pair[1]);
            switch (pair[0]) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> p = v;
                default -> {
                    return false;
                }
            }
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] expected = B64D.decode(parts[5]);
        return MessageDigest.isEqual(expected, derive(password, salt, m, t, p));
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism) {
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build());
        byte[] out = new byte[HASH_BYTES];
        gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
