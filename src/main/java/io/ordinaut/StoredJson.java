package io.ordinaut;

import java.math.BigDecimal;
import java.math.BigInteger;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * What PostgreSQL's jsonb gives back, and what may go into it so that it can be given back.
 *
 * <p>jsonb keeps a number as {@code numeric} and writes it out in full: {@code 1e200} comes back as a 1
 * and 200 zeros, {@code 1.5e-7} as {@code 0.00000015}. A number that is short as sent can so be far
 * longer as stored, past what a JSON parser with a bound on number length accepts. Values are therefore
 * measured by their stored width ({@link #numberWidth}) on the way in — request bodies, template literals,
 * tool outputs — and stored JSON is read back with {@link #READER}, whose bounds admit anything jsonb can
 * hold, so a row is never unreadable.
 */
public final class StoredJson {

    /** Widest number, as jsonb writes it out, that the node accepts: the parser's bound on request bodies. */
    public static final int MAX_NUMBER_WIDTH = 100;

    /**
     * numeric holds up to 131,072 digits before the point and 16,383 after; with sign and point this bounds
     * every number jsonb can write.
     */
    private static final int STORED_NUMBER_LENGTH = 131_072 + 16_383 + 2;

    /**
     * Reads JSON the database wrote (jsonb as text), never a caller's text. Not the application's mapper
     * bean, on purpose: the bean's bounds are for untrusted bodies (a number longer than 100 characters is
     * refused), and a row stored before a check existed, or one the check let through, must still be
     * readable, or one row would break every listing it is part of. Depth and string bounds stay Jackson's
     * defaults, which are above what any write path accepts.
     */
    public static final JsonMapper READER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(STORED_NUMBER_LENGTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .build()).build();

    /** Below this magnitude (and above its inverse) a double is written in well under 100 characters. */
    private static final double SHORT_DOUBLE = 1e50;

    private StoredJson() {
    }

    /** True when the number, written out by jsonb, is at most {@value #MAX_NUMBER_WIDTH} characters. */
    public static boolean fits(Number number) {
        if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
            return true;
        }
        if (number instanceof Double || number instanceof Float) {
            // the common case costs two comparisons, no allocation: tool outputs are full of doubles
            double magnitude = Math.abs(number.doubleValue());
            if (magnitude == 0 || magnitude < SHORT_DOUBLE && magnitude > 1 / SHORT_DOUBLE) {
                return true;
            }
        }
        return numberWidth(number) <= MAX_NUMBER_WIDTH;
    }

    /**
     * The number's length as jsonb writes it out (plain notation, sign included): what a reader of the
     * stored row sees. Infinite and NaN doubles, which JSON cannot hold, are {@link Integer#MAX_VALUE}.
     */
    public static int numberWidth(Number number) {
        BigDecimal decimal;
        if (number instanceof BigDecimal d) {
            decimal = d;
        } else if (number instanceof BigInteger i) {
            decimal = new BigDecimal(i);
        } else if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (!Double.isFinite(d)) {
                return Integer.MAX_VALUE;
            }
            // the text Jackson writes (1.0E200), which is what PostgreSQL parses
            decimal = new BigDecimal(number.toString());
        } else {
            decimal = new BigDecimal(number.toString());
        }
        // computed from precision and scale: toPlainString of 1e-100000 would build the whole string
        long digits = decimal.precision();
        long scale = decimal.scale();
        long width;
        if (decimal.signum() == 0) {
            width = scale > 0 ? 2 + scale : 1;
        } else if (scale <= 0) {
            width = digits - scale;
        } else if (scale >= digits) {
            width = 2 + scale;
        } else {
            width = digits + 1;
        }
        width += decimal.signum() < 0 ? 1 : 0;
        return (int) Math.min(Integer.MAX_VALUE, width);
    }

    /** Why the number is refused, after the name of what holds it: "is a number … characters wide …". */
    public static String tooWide(Number number) {
        return "is a number " + numberWidth(number) + " characters long when stored (jsonb writes numbers out in full,"
                + " so 1e200 is a 1 and 200 zeros); at most " + MAX_NUMBER_WIDTH + " are allowed";
    }
}
