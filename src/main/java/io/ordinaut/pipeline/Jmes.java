package io.ordinaut.pipeline;

import io.burt.jmespath.Expression;
import io.burt.jmespath.jcf.JcfRuntime;
import io.burt.jmespath.parser.ParseError;
import io.burt.jmespath.parser.ParseException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compiles expression text with the one shared JMESPath runtime (runtimes and compiled nodes are immutable). */
final class Jmes {

    /**
     * Function type errors (e.g. {@code length(null)} after a skipped step) yield null instead of
     * failing the step, in line with a missing path yielding null; what an evaluation builds is bounded.
     */
    static final JcfRuntime RUNTIME = BoundedJmesPath.RUNTIME;

    /** Longer expressions are refused before parsing: no legitimate condition or placeholder comes near it. */
    static final int MAX_LENGTH = 4096;

    private static final Pattern NOW_OFFSET = Pattern.compile("now\\s*([+-])\\s*(\\d{1,7})\\s*([smhdw])");

    private Jmes() {
    }

    /**
     * @throws IllegalArgumentException with a readable reason when the text is not a valid expression
     */
    static CompiledExpression compile(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty expression");
        }
        // Characters as documented: code points, so an emoji counts once.
        int characters = trimmed.codePointCount(0, trimmed.length());
        if (characters > MAX_LENGTH) {
            throw new IllegalArgumentException("expression of " + characters + " characters is longer than the limit of "
                    + MAX_LENGTH + ": '" + abbreviated(trimmed) + "'");
        }
        Matcher offset = NOW_OFFSET.matcher(trimmed);
        if (offset.matches()) {
            return new CompiledExpression.NowOffset(trimmed, nowOffset(offset));
        }
        try {
            Expression<Object> compiled = RUNTIME.compile(trimmed);
            return new CompiledExpression.JmesPath(trimmed, compiled);
        } catch (ParseException e) {
            throw new IllegalArgumentException("invalid JMESPath expression '" + abbreviated(trimmed) + "': " + describe(e));
        } catch (NumberFormatException e) {
            // the parser reads an index or slice bound as an int (a JSON literal past a long is read in BoundedJmesPath)
            throw new IllegalArgumentException("invalid JMESPath expression '" + abbreviated(trimmed)
                    + "': an index or slice bound must lie between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        } catch (RuntimeException e) {
            // the parser reports some problems (e.g. arity) with other JmesPathException types
            throw new IllegalArgumentException("invalid JMESPath expression '" + abbreviated(trimmed) + "': " + e.getMessage());
        } catch (StackOverflowError e) {
            // The parser recurses per nesting level: ((((…)))) within MAX_LENGTH can still exhaust the stack.
            throw new IllegalArgumentException("JMESPath expression '" + abbreviated(trimmed) + "' is nested too deeply");
        }
    }

    private static String abbreviated(String text) {
        // Cut between code points, never inside a surrogate pair.
        return text.codePointCount(0, text.length()) <= 100 ? text : text.substring(0, text.offsetByCodePoints(0, 100)) + "…";
    }

    private static Duration nowOffset(Matcher m) {
        long amount = Long.parseLong(m.group(2));
        Duration unit = switch (m.group(3)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            case "d" -> Duration.ofDays(1);
            default -> Duration.ofDays(7);
        };
        Duration offset = unit.multipliedBy(amount);
        return m.group(1).equals("-") ? offset.negated() : offset;
    }

    private static String describe(ParseException e) {
        List<String> parts = new ArrayList<>();
        for (ParseError error : e) {
            parts.add(error.message() + " at position " + error.position());
        }
        return parts.isEmpty() ? e.getMessage() : String.join("; ", parts);
    }
}
