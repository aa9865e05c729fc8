package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Key format: prefix, CSPRNG part, CRC32 checksum")
class KeyFormatTest {

    @Test
    void generatedKeys_areWellFormed_andDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = KeyFormat.generate();
            assertThat(key).hasSize(KeyFormat.LENGTH).startsWith("ksk_").matches("ksk_[0-9A-Za-z]{38}");
            assertThat(KeyFormat.check(key)).isEqualTo(KeyFormat.Verdict.OK);
            assertThat(seen.add(key)).isTrue();
        }
    }

    @Test
    void everySingleCharacterChange_isRejected() {
        Random random = new Random(42);
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-!";
        for (int i = 0; i < 1_000; i++) {
            String key = KeyFormat.generate();
            int at = random.nextInt(key.length());
            char replacement;
            do {
                replacement = alphabet.charAt(random.nextInt(alphabet.length()));
            } while (replacement == key.charAt(at));
            String mutated = key.substring(0, at) + replacement + key.substring(at + 1);
            assertThat(KeyFormat.isWellFormed(mutated))
                    .as("%s (position %d)", mutated, at)
                    .isFalse();
        }
    }

    @Test
    void verdicts_sayWhatIsWrong() {
        String key = KeyFormat.generate();
        assertThat(KeyFormat.check("sk_live_123")).isEqualTo(KeyFormat.Verdict.PREFIX);
        assertThat(KeyFormat.check(key + "x")).isEqualTo(KeyFormat.Verdict.LENGTH);
        assertThat(KeyFormat.check(key.substring(0, 10) + "!" + key.substring(11)))
                .isEqualTo(KeyFormat.Verdict.ALPHABET);
        assertThat(KeyFormat.hint(key)).isEqualTo(key.substring(0, 8));
    }
}
