package io.keysmith.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test whose assertions are bounds on time (a p99, "within a second", an over-admission bound that depends on
 * how fast replicas exchange counts). Failsafe runs these alone, after the rest of the suite has run in two forks,
 * so that the other fork's load cannot fail them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("timing")
public @interface TimingSensitive {}
