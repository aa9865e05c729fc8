package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.text.Csv;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The key export's CSV cells: RFC 4180 escaping and spreadsheet formulas defused")
class KeyCsvTest {
    @Test
    void plainCells_areLeftAsTheyAre_andNullIsEmpty() {
        assertThat(Csv.cell("Payroll sync")).isEqualTo("Payroll sync");
        assertThat(Csv.cell(null)).isEmpty();
        assertThat(Csv.cell("")).isEmpty();
    }

    @Test
    void commasQuotesAndLineBreaks_areQuotedWithQuotesDoubled() {
        assertThat(Csv.cell("a, b")).isEqualTo("\"a, b\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell("cr\rhere")).isEqualTo("\"cr\rhere\"");
    }

    @Test
    void everyFormulaLead_isPrefixedWithAnApostrophe() {
        for (String lead : new String[] {"=", "+", "-", "@", "\t"}) {
            assertThat(Csv.cell(lead + "1+1")).as(lead).isEqualTo("'" + lead + "1+1");
        }
        assertThat(Csv.cell("\r1")).isEqualTo("\"'\r1\"");
        assertThat(Csv.cell("=HYPERLINK(\"x\",\"y\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
        assertThat(Csv.cell("a=1")).as("only a leading sign is a formula").isEqualTo("a=1");
    }
}
