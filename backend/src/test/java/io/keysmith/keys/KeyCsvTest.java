package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The key export's CSV cells: RFC 4180 escaping and spreadsheet formulas defused")
class KeyCsvTest {
    @Test
    void plainCells_areLeftAsTheyAre_andNullIsEmpty() {
        assertThat(KeyCsv.cell("Payroll sync")).isEqualTo("Payroll sync");
        assertThat(KeyCsv.cell(null)).isEmpty();
        assertThat(KeyCsv.cell("")).isEmpty();
    }

    @Test
    void commasQuotesAndLineBreaks_areQuotedWithQuotesDoubled() {
        assertThat(KeyCsv.cell("a, b")).isEqualTo("\"a, b\"");
        assertThat(KeyCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(KeyCsv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(KeyCsv.cell("cr\rhere")).isEqualTo("\"cr\rhere\"");
    }

    @Test
    void everyFormulaLead_isPrefixedWithAnApostrophe() {
        for (String lead : new String[] {"=", "+", "-", "@", "\t"}) {
            assertThat(KeyCsv.cell(lead + "1+1")).as(lead).isEqualTo("'" + lead + "1+1");
        }
        assertThat(KeyCsv.cell("\r1")).isEqualTo("\"'\r1\"");
        assertThat(KeyCsv.cell("=HYPERLINK(\"x\",\"y\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
        assertThat(KeyCsv.cell("a=1")).as("only a leading sign is a formula").isEqualTo("a=1");
    }
}
