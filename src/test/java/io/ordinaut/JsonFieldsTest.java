package io.ordinaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JsonFields.integer as the parser hands it numbers: every type, compared with the range before it is narrowed. */
class JsonFieldsTest {

    private static Integer integer(Object value) {
        return JsonFields.of(Map.of("n", value)).integer("n", 0, 86_400);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            double 2^64 + 384, once read as 384       | D | 1.8446744073709552E19 | must be between 0 and 86400 (got 1.8446744073709552E19)
            double 2^65 - 232, once read as -232      | D | 3.6893488147419103E19 | must be between 0 and 86400 (got 3.6893488147419103E19)
            a decimal text beyond a long              | B | 18446744073709551716.0 | must be between 0 and 86400 (got 18446744073709551716.0)
            an integer beyond a long                  | I | 18446744073709551716  | must be between 0 and 86400 (got 18446744073709551716)
            a negative double beyond a long           | D | -1.0E30               | must be between 0 and 86400 (got -1.0E30)
            a long past the maximum                   | L | 9223372036854775807   | must be between 0 and 86400 (got 9223372036854775807)
            just past the maximum as a decimal        | D | 86400.5               | must be between 0 and 86400 (got 86400.5)
            a fraction in range                       | D | 0.5                   | must be a whole number (got 0.5)
            """)
    void a_number_outside_the_range_is_refused_as_sent(String name, char type, String text, String message) {
        Object value = switch (type) {
            case 'D' -> Double.valueOf(text);
            case 'B' -> new BigDecimal(text);
            case 'I' -> new BigInteger(text);
            default -> Long.valueOf(text);
        };
        assertThatThrownBy(() -> integer(value)).isInstanceOf(InvalidInputException.class)
                .hasMessage("n " + message).extracting(e -> ((InvalidInputException) e).field()).isEqualTo("n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a whole double       | D | 60.0      | 60
            an exponent          | B | 6E+1      | 60
            trailing zeros       | B | 86400.000 | 86400
            zero as a decimal    | D | -0.0      | 0
            an int               | L | 0         | 0
            """)
    void a_whole_number_in_range_is_read_in_any_notation(String name, char type, String text, int expected) {
        Object value = switch (type) {
            case 'D' -> Double.valueOf(text);
            case 'B' -> new BigDecimal(text);
            default -> Long.valueOf(text);
        };
        assertThat(integer(value)).isEqualTo(expected);
    }
}
