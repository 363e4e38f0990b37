package io.ordinaut.tool;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Only IP literals and names refused before resolution are used: no test here sends anything. */
class EgressGuardTest {

    private static final EgressGuard DEFAULTS = new EgressGuard(EgressPolicy.defaults());

    @ParameterizedTest(name = "{0} is always refused")
    @CsvSource({
            "http://169.254.169.254/latest/meta-data/, 169.254.169.254",
            "http://169.254.10.1:8080/, 169.254.10.1",
            "http://[fe80::1]/, fe80::1",
            "http://[fd00:ec2::254]/, fd00:ec2::254",
            "http://metadata.google.internal/computeMetadata/v1/, metadata.google.internal",
            "http://METADATA.GOOGLE.INTERNAL./, METADATA.GOOGLE.INTERNAL.",
            "http://100.100.100.200/, 100.100.100.200",
            "http://[::ffff:169.254.169.254]/, ::ffff:169.254.169.254",
    })
    void linkLocalAndMetadataDestinationsAreAlwaysRefused(String url, String host) {
        EgressGuard permissive = new EgressGuard(new EgressPolicy(true, List.of("*"), List.of(),
                List.of("0.0.0.0/0", "::/0"), List.of()));

        for (EgressGuard guard : List.of(DEFAULTS, permissive)) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));
            assertThat(e).as(url).isNotNull();
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("refused");
        }
    }

    @ParameterizedTest(name = "{0} allowed by default")
    @CsvSource({"http://127.0.0.1:8080/tool", "http://[::1]/tool", "https://10.1.2.3/tool"})
    void loopbackAndOtherAddressesAreAllowedByDefault(String url) {
        assertThatCode(() -> DEFAULTS.check(URI.create(url))).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "http://10.1.2.3/, refused",
            "http://10.9.9.9/, allowed",
            "http://192.168.1.5/, refused",
            "http://172.16.0.1/, allowed",
            "http://127.0.0.1/, allowed",
    })
    void denyListBeatsAllowListAndAllowListLimitsDestinations(String url, String expected) {
        EgressGuard guard = new EgressGuard(new EgressPolicy(true, List.of(), List.of(),
                List.of("10.0.0.0/8", "172.16.0.0/12"), List.of("10.1.0.0/16")));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));

        assertThat(e == null ? "allowed" : "refused").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ftp://127.0.0.1/file", "file:///etc/passwd"})
    void onlyHttpSchemesMayBeCalled(String url) {
        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> DEFAULTS.check(URI.create(url)));

        assertThat(e.retryable()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"http://127.0.0.1/", "http://127.0.0.2/"})
    void deniedHostPatternIsRefusedNamingTheHost(String url) {
        EgressGuard guard = new EgressGuard(new EgressPolicy(true, List.of(), List.of("127.0.0.1", "*.internal.example"),
                List.of(), List.of("127.0.0.2/32")));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));

        assertThat(e.getMessage()).contains("'" + URI.create(url).getHost() + "'");
    }
}
