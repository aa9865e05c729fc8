package io.keysmith.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** A parsed Prometheus text exposition: samples with their labels, and sums and selections over them. */
public final class PrometheusScrape {
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.get(name);
        }
    }

    public final String text;
    public final List<Sample> samples;

    private PrometheusScrape(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    public static PrometheusScrape parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space;
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < line.indexOf(' ')) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String key = line.substring(i, eq).strip();
                    StringBuilder value = new StringBuilder();
                    int j = eq + 2; // past ="
                    while (line.charAt(j) != '"') {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char n = line.charAt(++j);
                            value.append(n == 'n' ? '\n' : n);
                        } else {
                            value.append(c);
                        }
                        j++;
                    }
                    labels.put(key, value.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                space = i + 1;
            } else {
                space = line.indexOf(' ');
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).strip().split("\\s+");
            out.add(new Sample(name, labels, parseValue(rest[0])));
        }
        return new PrometheusScrape(text, out);
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Samples of {@code name} whose labels include every given pair ({@code k1, v1, k2, v2, ...}). */
    public List<Sample> select(String name, String... labelPairs) {
        return named(name).stream().filter(matches(labelPairs)).toList();
    }

    public double sum(String name, String... labelPairs) {
        return select(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    public Set<String> labelValues(String name, String label) {
        Set<String> values = new TreeSet<>();
        named(name).forEach(s -> {
            if (s.label(label) != null) {
                values.add(s.label(label));
            }
        });
        return values;
    }

    /** Every value {@code label} takes in any sample of the scrape. */
    public Set<String> labelValuesEverywhere(String label) {
        Set<String> values = new TreeSet<>();
        samples.forEach(s -> {
            if (s.label(label) != null) {
                values.add(s.label(label));
            }
        });
        return values;
    }

    private static Predicate<Sample> matches(String... labelPairs) {
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("label pairs");
        }
        return s -> {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.label(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        };
    }
}
