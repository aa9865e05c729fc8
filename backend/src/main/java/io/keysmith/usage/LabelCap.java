package io.keysmith.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the values of one metric label: the first {@code max} distinct values are kept, later ones fold into
 * "other" and a counter says how many times that happened, so per-key and per-organization series cannot explode.
 */
public final class LabelCap {
    public static final String OTHER = "other";

    private final int max;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();
    private final Counter folded;

    public LabelCap(MeterRegistry registry, String label, int max) {
        this.max = max;
        this.folded = Counter.builder("keysmith_metrics_label_folded")
                .description("Label values folded into \"other\" past the cardinality cap")
                .tag("label", label)
                .register(registry);
    }

    public String apply(String value) {
        if (value == null) {
            return OTHER;
        }
        if (admitted.contains(value)) {
            return value;
        }
        synchronized (admitted) { // size check and add together: the cap holds across event loops
            if (admitted.contains(value) || (admitted.size() < max && admitted.add(value))) {
                return value;
            }
        }
        folded.increment();
        return OTHER;
    }
}
