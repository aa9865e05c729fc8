package io.keysmith.text;

import com.ibm.icu.text.SpoofChecker;
import io.keysmith.errors.Invalid;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Names people read (organizations, users, access levels, keys, partners; {@code x-name: true} in the contract):
 * stored NFC-normalized, and refused when they hold a character that is invisible or rearranges the text around it
 * (controls with CR/LF, zero-width and bidi formatting characters, line and paragraph separators), which made
 * {@code "Account Owner\u202e"} or a name with a line break possible (issue 13 item 8). {@link #confusableKey}
 * folds look-alikes (UTS #39 skeletons, ICU's SpoofChecker) and case, for names that must differ visibly.
 */
public final class Names {
    // thread-safe once built (ICU: "SpoofChecker instances are thread-safe once built")
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder().build();

    private Names() {}

    /** The NFC form of {@code value}, or a 400 naming {@code field} when it holds a forbidden character. */
    public static String normalized(String field, String value) {
        String nfc = Normalizer.normalize(value, Normalizer.Form.NFC);
        for (int i = 0; i < nfc.length(); ) {
            int cp = nfc.codePointAt(i);
            String what = forbidden(cp);
            if (what != null) {
                throw new Invalid(
                        field,
                        "Field '" + field + "' contains " + what + " (U+" + String.format(Locale.ROOT, "%04X", cp)
                                + "), which a name may not hold");
            }
            i += Character.charCount(cp);
        }
        return nfc;
    }

    private static String forbidden(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL -> cp == '\r' || cp == '\n' ? "a line break" : "a control character";
            case Character.FORMAT -> "an invisible or bidirectional formatting character";
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line break";
            case Character.SURROGATE -> "a lone surrogate";
            default -> null;
        };
    }

    /**
     * Two names with the same key look the same: the UTS #39 skeleton, case-folded, skeleton again (so "PayroII 2O24"
     * meets "payroll 2024"), with runs of spaces made one.
     */
    public static String confusableKey(String name) {
        String s = SPOOF.getSkeleton(Normalizer.normalize(name.strip(), Normalizer.Form.NFC));
        s = SPOOF.getSkeleton(com.ibm.icu.lang.UCharacter.foldCase(s, true));
        return s.replaceAll("\\s+", " ");
    }
}
