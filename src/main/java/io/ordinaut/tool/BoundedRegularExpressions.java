package io.ordinaut.tool;

import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;

/**
 * The validator's regular expressions ({@code pattern}, {@code patternProperties}, {@code format: regex}) with
 * a bound on the work a match may do. A tool's schema is written by whoever registers the tool, and
 * {@code java.util.regex} backtracks: {@code ^(.*a){6}b} against 300 {@code a}s runs for longer than the node
 * lives, on a thread that no step timeout stops (the run is recorded timed out, the thread keeps matching).
 * Each match reads its input through a {@link CharSequence} that counts every {@code charAt} against a budget
 * shared by one whole validation ({@link #within}) — {@link #BASE_STEPS}, plus {@link #STEPS_PER_CHARACTER} for
 * each character matched — and stops the match with {@link TooCostly} when it runs out, or when the thread is
 * interrupted. Expressions are compiled as the validator's own JDK factory compiles them.
 */
final class BoundedRegularExpressions implements RegularExpressionFactory {

    /**
     * Characters a whole validation may read while matching, besides {@link #STEPS_PER_CHARACTER}: tens of
     * milliseconds of CPU at most, far more than matching short values needs.
     */
    static final long BASE_STEPS = 1_000_000;
    /** Added to the budget for each character of each value matched, so long values may be matched linearly. */
    static final long STEPS_PER_CHARACTER = 20;
    private static final int INTERRUPT_CHECK_INTERVAL = 4096;

    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    /** A match stopped for reading more than its budget, or because its thread was interrupted. */
    static final class TooCostly extends RuntimeException {

        TooCostly(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Budget {

        private long left;

        Budget(long steps) {
            this.left = steps;
        }
    }

    /** Runs one validation with one budget for all the matches it makes. */
    static <T> T within(Supplier<T> validation) {
        Budget outer = CURRENT.get();
        CURRENT.set(new Budget(BASE_STEPS));
        try {
            return validation.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(
                RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
        return value -> {
            Budget current = CURRENT.get();
            // outside within() (the validator's own use, meta-schemas): a budget for this match alone
            Budget budget = current == null ? new Budget(BASE_STEPS) : current;
            budget.left += STEPS_PER_CHARACTER * value.length();
            return pattern.matcher(new Counted(value, budget, regex)).find();
        };
    }

    /** The value being matched, charging every character read to the budget. */
    private static final class Counted implements CharSequence {

        private final String value;
        private final Budget budget;
        private final String regex;

        Counted(String value, Budget budget, String regex) {
            this.value = value;
            this.budget = budget;
            this.regex = regex;
        }

        @Override
        public char charAt(int index) {
            long left = --budget.left;
            if (left < 0) {
                throw new TooCostly("pattern " + regex + " needs more steps to match than a validation may take ("
                        + BASE_STEPS + ", plus " + STEPS_PER_CHARACTER + " per character matched); simplify it "
                        + "(nested or repeated quantifiers such as (.*a){6} backtrack without bound)");
            }
            if (left % INTERRUPT_CHECK_INTERVAL == 0 && Thread.currentThread().isInterrupted()) {
                throw new TooCostly("matching pattern " + regex + " was stopped: its thread was interrupted");
            }
            return value.charAt(index);
        }

        @Override
        public int length() {
            return value.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return value.subSequence(start, end);
        }

        @Override
        public String toString() {
            return value;
        }
    }
}
