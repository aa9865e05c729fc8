package io.keysmith.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The versioned server secret")
class ServerSecretTest {
    private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String K2 = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @Test
    void firstVersionIsCurrent_othersStillAccepted() {
        ServerSecret s = ServerSecret.parse("v2:" + K2 + ",v1:" + K1);
        assertThat(s.current().id()).isEqualTo(2);
        assertThat(s.version(1)).isPresent();
        assertThat(s.version(3)).isEmpty();
    }

    @Test
    void badSecrets_areRefused_withoutEchoingThem() {
        assertThatThrownBy(() -> ServerSecret.parse("hunter2"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KEYSMITH_SECRET")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ServerSecret.parse("v1:" + Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("at least 32");
        assertThatThrownBy(() -> ServerSecret.parse("v1:" + K1 + ",v1:" + K2)).hasMessageContaining("twice");
    }

    @Test
    void embeddedMode_generatesOnce_ownerReadableOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data/secret");
        ServerSecret first = ServerSecret.loadOrCreate(file);
        ServerSecret again = ServerSecret.loadOrCreate(file);
        assertThat(again.current().key()).isEqualTo(first.current().key());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }
}
