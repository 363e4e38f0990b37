package io.ordinaut.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Expressions evaluated as a run evaluates them, over a document parsed as request bodies are, where the
 * library's own behaviour departed from the JMESPath specification or from how request bodies read JSON.
 */
class JmesPathSemanticsTest {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final Object DOCUMENT = JSON.readValue("""
            {"n": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "e": [], "s": "abc", "o": {"a": 1}, "mixed": [1, "a"],
             "foo": [{"bar": 1}, {"bar": 2}, {"bar": 3}],
             "big": 12345678901234567890, "negative": -12345678901234567890}""", Object.class);

    /** The specification's slice examples, its pseudo-code's clamping, and what the library got wrong. */
    static Stream<Arguments> slices() {
        return Stream.of(
                arguments("n[0:4:1]", "[0, 1, 2, 3]"),
                arguments("n[0:4]", "[0, 1, 2, 3]"),
                arguments("n[0:3]", "[0, 1, 2]"),
                arguments("n[:2]", "[0, 1]"),
                arguments("n[::2]", "[0, 2, 4, 6, 8]"),
                arguments("n[::-1]", "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]"),
                arguments("n[-2:]", "[8, 9]"),
                arguments("n[-4:-1]", "[6, 7, 8]"),
                arguments("n[:-5:-1]", "[9, 8, 7, 6]"),
                arguments("n[8:2:-2]", "[8, 6, 4]"),
                arguments("n[::-3]", "[9, 6, 3, 0]"),
                arguments("n[5:2]", "[]"),
                arguments("n[2:5:-1]", "[]"),
                // out-of-range bounds are clamped, never an error
                arguments("n[:100]", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"),
                arguments("n[-100:2]", "[0, 1]"),
                arguments("n[10:-20:-1]", "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]"),
                arguments("n[100:]", "[]"),
                arguments("n[::2147483647]", "[0]"),
                arguments("n[::-2147483648]", "[9]"),
                arguments("mixed[-10::-1]", "[]"),
                arguments("mixed[-10:]", "[1, \"a\"]"),
                // empty arrays
                arguments("e[::-1]", "[]"),
                arguments("e[:]", "[]"),
                arguments("e[-1:]", "[]"),
                // only arrays slice; anything else is null
                arguments("s[::-1]", "null"),
                arguments("s[0:1]", "null"),
                arguments("o[::-1]", "null"),
                arguments("o[:]", "null"),
                arguments("missing[:2]", "null"),
                // a slice projects what follows it
                arguments("foo[:2].bar", "[1, 2]"),
                arguments("foo[::-1].bar", "[3, 2, 1]"),
                arguments("e[::-1].bar", "[]"),
                arguments("s[::-1].bar", "null"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("slices")
    void slices_follow_the_specification(String expression, String expected) {
        assertThat(evaluate(expression)).isEqualTo(JSON.readValue(expected, Object.class));
    }

    /** Whole numbers past a long read as request bodies read them, and compare exactly. */
    static Stream<Arguments> largeIntegers() {
        return Stream.of(
                arguments("big == `12345678901234567890`", true),
                arguments("big == `12345678901234567891`", false),
                arguments("big < `12345678901234567891`", true),
                arguments("negative == `-12345678901234567890`", true),
                arguments("contains(`[12345678901234567890]`, big)", true),
                arguments("`[12345678901234567890]` == [big]", true),
                arguments("`{\"k\": -12345678901234567890}`.k == negative", true),
                arguments("n[0] == `0`", true));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("largeIntegers")
    void large_integer_literals_are_numbers(String expression, boolean expected) {
        assertThat(evaluate(expression)).isEqualTo(expected);
    }

    @Test
    void large_integer_literal_keeps_its_value() {
        assertThat(evaluate("`12345678901234567890`")).isEqualTo(new BigInteger("12345678901234567890"));
        assertThat(evaluate("`[1, -12345678901234567890]`"))
                .isEqualTo(java.util.List.of(1L, new BigInteger("-12345678901234567890")));
    }

    @Test
    void index_past_an_int_is_refused_in_words() {
        assertThatThrownBy(() -> Jmes.compile("n[12345678901234567890]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index or slice bound")
                .hasMessageNotContaining("For input string");
        assertThatThrownBy(() -> Jmes.compile("n[:12345678901234567890]"))
                .hasMessageContaining("index or slice bound");
    }

    private static Object evaluate(String expression) {
        CompiledExpression compiled = Jmes.compile(expression);
        return BoundedJmesPath.search(((CompiledExpression.JmesPath) compiled).compiled(), DOCUMENT);
    }
}
