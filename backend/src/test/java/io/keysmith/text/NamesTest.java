package io.keysmith.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.errors.Invalid;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Names: NFC, no invisible or bidi characters; look-alikes share a confusable key")
class NamesTest {
    @Test
    void normalizesToNfc_andKeepsOrdinaryScripts() {
        assertThat(Names.normalized("name", "Cafe\u0301")).isEqualTo("Caf\u00e9");
        assertThat(Names.normalized("name", "Zoë O'Brien-Łukasz 経理 Бухгалтерия"))
                .isNotBlank();
    }

    @Test
    void refusesControlInvisibleAndBidiCharacters_namingTheField() {
        for (String bad : new String[] {
            "a\r\nb",
            "a\tb",
            "a\u0000b",
            "a\u200bb",
            "a\u200db",
            "a\u202eb",
            "a\u2066b",
            "a\ufeffb",
            "a\u2028b",
            "a\u00adb"
        }) {
            assertThatThrownBy(() -> Names.normalized("owner.firstName", bad))
                    .isInstanceOf(Invalid.class)
                    .satisfies(e -> assertThat(((Invalid) e).field()).isEqualTo("owner.firstName"));
        }
    }

    @Test
    void lookAlikes_shareAKey_differentNamesDoNot() {
        String admin = Names.confusableKey("Full Admin");
        assertThat(Names.confusableKey("Full \u0410dmin")).isEqualTo(admin); // Cyrillic А
        assertThat(Names.confusableKey("Ful1 Admin")).isEqualTo(admin);
        assertThat(Names.confusableKey("full  admin")).isEqualTo(admin);
        assertThat(Names.confusableKey("PayroII 2O24")).isEqualTo(Names.confusableKey("payroll 2024"));
        assertThat(Names.confusableKey("Full Admins")).isNotEqualTo(admin);
        assertThat(Names.confusableKey("Auditors")).isNotEqualTo(Names.confusableKey("Editors"));
    }
}
