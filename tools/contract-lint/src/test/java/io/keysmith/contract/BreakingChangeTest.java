package io.keysmith.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openapitools.openapidiff.core.OpenApiCompare;
import org.openapitools.openapidiff.core.compare.OpenApiDiffOptions;
import org.openapitools.openapidiff.core.model.ChangedOpenApi;
import org.openapitools.openapidiff.core.output.MarkdownRender;

/**
 * openapi.yaml against the last released contract (contract/released/openapi-VERSION.yaml, the newest version): a
 * change openapi-diff calls incompatible needs a new major version (a new minor while the major is 0), as the
 * README's versioning policy says. A new value in a response enum is not breaking: both generated clients are built
 * to tolerate unknown enum values (Java: enumUnknownDefaultCase; TypeScript: plain string unions at run time).
 */
@DisplayName("openapi.yaml breaks no released client unless its version says so")
class BreakingChangeTest {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)$");
    private static final Pattern INFO_VERSION =
            Pattern.compile("(?m)^info:\\R(?:  .*\\R)*?  version: ['\"]?([^'\"\\s]+)");

    static OpenApiDiffOptions options() {
        return OpenApiDiffOptions.builder()
                // policy: clients tolerate unknown response enum values (README, Versioning)
                .configProperty("incompatible.response.enum.increased", "false")
                .build();
    }

    static ChangedOpenApi diff(String released, String current) {
        try {
            Path dir = Files.createTempDirectory("contract-diff");
            Path a = Files.writeString(dir.resolve("released.yaml"), released);
            Path b = Files.writeString(dir.resolve("current.yaml"), current);
            return OpenApiCompare.fromFiles(a.toFile(), b.toFile(), List.of(), options());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int[] version(String yaml) {
        Matcher m = INFO_VERSION.matcher(yaml);
        assertThat(m.find()).as("info.version").isTrue();
        Matcher v = VERSION.matcher(m.group(1));
        assertThat(v.matches())
                .as("info.version %s is MAJOR.MINOR.PATCH", m.group(1))
                .isTrue();
        return new int[] {Integer.parseInt(v.group(1)), Integer.parseInt(v.group(2)), Integer.parseInt(v.group(3))};
    }

    /** True when {@code current} may break clients of {@code released}: a new major, or a new minor while 0.x. */
    static boolean allowsBreaking(int[] released, int[] current) {
        if (released[0] == 0 && current[0] == 0) {
            return current[1] > released[1];
        }
        return current[0] > released[0];
    }

    static String render(ChangedOpenApi changes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamWriter writer = new OutputStreamWriter(bytes, StandardCharsets.UTF_8);
        new MarkdownRender().render(changes, writer); // closes the writer
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static Path newestReleased() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("contract.released")))) {
            return files.filter(p -> p.getFileName().toString().matches("openapi-\\d+\\.\\d+\\.\\d+\\.yaml"))
                    .max(Comparator.comparing(p -> {
                        int[] v = versionOfName(p);
                        return String.format("%06d.%06d.%06d", v[0], v[1], v[2]);
                    }))
                    .orElseThrow();
        }
    }

    private static int[] versionOfName(Path p) {
        Matcher v = Pattern.compile("openapi-(\\d+)\\.(\\d+)\\.(\\d+)\\.yaml")
                .matcher(p.getFileName().toString());
        v.matches();
        return new int[] {Integer.parseInt(v.group(1)), Integer.parseInt(v.group(2)), Integer.parseInt(v.group(3))};
    }

    @Test
    @DisplayName("a breaking change against the last released contract comes with a new major (0.x: minor) version")
    void breakingChangesBumpTheVersion() throws IOException {
        Path releasedFile = newestReleased();
        String released = Files.readString(releasedFile);
        String current = Files.readString(new File(System.getProperty("contract.current")).toPath());
        int[] r = version(released);
        int[] c = version(current);
        assertThat(String.format("%06d%06d%06d", c[0], c[1], c[2]))
                .as("openapi.yaml's version is not older than the released %s", releasedFile.getFileName())
                .isGreaterThanOrEqualTo(String.format("%06d%06d%06d", r[0], r[1], r[2]));
        ChangedOpenApi changes = diff(released, current);
        if (changes.isIncompatible()) {
            assertThat(allowsBreaking(r, c))
                    .as(
                            "openapi.yaml breaks clients of %s; bump info.version (policy: README, Versioning):%n%s",
                            releasedFile.getFileName(), render(changes))
                    .isTrue();
        }
    }

    @Test
    @DisplayName(
            "the differ catches a response property no longer promised, a new required request field and a removed operation")
    void theDifferCatchesBreakingChanges() throws IOException {
        String released = Files.readString(Path.of(System.getProperty("contract.current")));
        String withoutEmail = released.replace(
                "required: [id, email, firstName, lastName, kind, accessLevel, status, hasPassword, createdAt]",
                "required: [id, firstName, lastName, kind, accessLevel, status, hasPassword, createdAt]");
        assertThat(withoutEmail).isNotEqualTo(released);
        assertThat(diff(released, withoutEmail).isIncompatible())
                .as("User.email no longer required")
                .isTrue();

        String requiredDescription = released.replaceFirst(
                "(?m)^(    PartnerWrite:\\R(?:      .*\\R)*?      required: )\\[name\\]", "$1[name, contact]");
        assertThat(requiredDescription).isNotEqualTo(released);
        assertThat(diff(released, requiredDescription).isIncompatible())
                .as("PartnerWrite.contact required")
                .isTrue();

        String withoutHealth = released.replaceFirst("(?m)^  /health/live:\\R(?:    .*\\R)+", "");
        assertThat(withoutHealth).isNotEqualTo(released);
        assertThat(diff(released, withoutHealth).isIncompatible())
                .as("getLiveness removed")
                .isTrue();
    }

    @Test
    @DisplayName("a new optional response property, a new operation and a new response enum value are not breaking")
    void additionsAreNotBreaking() throws IOException {
        String released = Files.readString(Path.of(System.getProperty("contract.current")));
        String withEnum = released.replace(
                "enum: [UP, DOWN]\n        database:", "enum: [UP, DOWN, DEGRADED]\n        database:");
        assertThat(withEnum).isNotEqualTo(released);
        assertThat(diff(released, withEnum).isIncompatible())
                .as("Health.status gains DEGRADED")
                .isFalse();
        String withProperty = released.replaceFirst(
                "(?m)^(    Organization:\\R      type: object\\R)", "$1      description: An organization.\n");
        assertThat(diff(released, withProperty).isIncompatible()).isFalse();
    }

    @Test
    @DisplayName("the version rule: 0.x needs a new minor, 1.x and later a new major")
    void versionRule() {
        assertThat(allowsBreaking(new int[] {0, 1, 0}, new int[] {0, 2, 0})).isTrue();
        assertThat(allowsBreaking(new int[] {0, 1, 0}, new int[] {0, 1, 5})).isFalse();
        assertThat(allowsBreaking(new int[] {1, 4, 0}, new int[] {1, 5, 0})).isFalse();
        assertThat(allowsBreaking(new int[] {1, 4, 0}, new int[] {2, 0, 0})).isTrue();
    }
}
