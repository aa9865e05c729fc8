package io.keysmith.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/** Waiting with a deadline instead of a fixed sleep: the tests go on as soon as what they wait for happened. */
public final class Poll {
    private Poll() {}

    /** Polls {@code value} until {@code done} holds or {@code timeout} passes; the last value seen. */
    public static long value(LongSupplier value, LongPredicate done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long v = value.getAsLong();
        while (!done.test(v) && System.nanoTime() < deadline) {
            pause(50);
            v = value.getAsLong();
        }
        return v;
    }

    /** Polls until {@code done} holds; an AssertionError naming {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout + " for " + what);
            }
            pause(50);
        }
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
