package io.ordinaut.tool;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
    void link_local_and_metadata_destinations_are_always_refused(String url, String host) {
        EgressGuard permissive = new EgressGuard(new EgressPolicy(true, List.of("*"), List.of(),
                List.of("0.0.0.0/0", "::/0"), List.of()));

        for (EgressGuard guard : List.of(DEFAULTS, permissive)) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));
            assertThat(e).as(url).isNotNull();
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("refused");
        }
    }

    @ParameterizedTest(name = "{0} is always refused")
    @CsvSource({
            "http://[fe80::fc:ff:fe00:1%25eth0]:8212/",
            "http://[fe80::1%eth0]/",
            "http://[fe80::1%251]/",
            "http://[::1%251]/",
            "http://[fd12::1%25eth0]/",
            "http://[2001:db8::1%25lo]/",
    })
    void ipv6_literals_with_a_zone_id_are_always_refused_without_a_lookup(String url) {
        EgressGuard permissive = new EgressGuard(new EgressPolicy(true, List.of("*"), List.of(),
                List.of("0.0.0.0/0", "::/0"), List.of()), host -> {
                    throw new AssertionError("looked up " + host);
                });

        for (EgressGuard guard : List.of(DEFAULTS, permissive)) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));
            assertThat(e).as(url).isNotNull();
            assertThat(e.retryable()).as(url).isFalse();
            assertThat(e.getMessage()).as(url).contains("refused", "zone id");
        }
        // as a pinned connection asks for it, without brackets
        String host = URI.create(url).getHost();
        assertThatThrownBy(() -> DEFAULTS.resolve(host.substring(1, host.length() - 1))).hasMessageContaining("zone id");
    }

    @ParameterizedTest(name = "{0} allowed by default")
    @CsvSource({"https://10.1.2.3/tool", "http://192.168.1.20:8080/tool", "http://172.16.0.1/", "http://[fd12::1]/",
            "https://93.184.215.14/"})
    void private_and_public_addresses_are_allowed_by_default(String url) {
        assertThatCode(() -> DEFAULTS.check(URI.create(url))).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} refused by default, allowed with allow-loopback")
    @CsvSource({
            "http://127.0.0.1:8080/tool, loopback",
            "http://127.9.9.9/, loopback",
            "http://[::1]/tool, loopback",
            "http://0.0.0.0:8080/, unspecified",
            "http://0.1.2.3/, unspecified",
            "http://[::]/, unspecified",
            "http://[::ffff:127.0.0.1]/, loopback",
            "http://[::127.0.0.1]/, loopback",
            "http://[64:ff9b::7f00:1]/, loopback",
            "http://[2002:7f00:1::]/, loopback",
            "http://2130706433/, loopback",
    })
    void loopback_and_unspecified_addresses_in_any_disguise_are_refused_unless_opted_in(String url, String why) {
        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> DEFAULTS.check(URI.create(url)));

        assertThat(e).as(url).isNotNull();
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains(why).contains("ordinaut.tools.allow-loopback");
        EgressGuard optedIn = new EgressGuard(EgressPolicy.defaults().withAllowLoopback(true));
        assertThatCode(() -> optedIn.check(URI.create(url))).as(url).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "http://[64:ff9b::a9fe:a9fe]/, 169.254.169.254",
            "http://[2002:a9fe:a9fe::1]/, 169.254.169.254",
            "http://[::169.254.169.254]/, 169.254.169.254",
            "http://[64:ff9b::a01:203]/, 10.1.2.3",
    })
    void nat64_and_6to4_embeddings_are_judged_as_the_ipv4_address_inside(String url, String inside) {
        EgressGuard guard = new EgressGuard(new EgressPolicy(true, List.of(), List.of(), List.of(), List.of("10.0.0.0/8")));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));

        assertThat(e).as(url).isNotNull();
        assertThat(e.getMessage()).contains(inside);
    }

    @Test
    void the_nodes_own_interface_addresses_are_refused_unless_opted_in() throws Exception {
        InetAddress own = InetAddress.getByName("192.0.2.77");
        EgressGuard guard = new EgressGuard(EgressPolicy.defaults(), HostResolver.SYSTEM, () -> Set.of(own));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create("http://192.0.2.77:8080/agents")));

        assertThat(e.getMessage()).contains("own addresses");
        assertThatCode(() -> new EgressGuard(EgressPolicy.defaults().withAllowLoopback(true), HostResolver.SYSTEM, () -> Set.of(own))
                .check(URI.create("http://192.0.2.77:8080/agents"))).doesNotThrowAnyException();
        assertThatCode(() -> new EgressGuard(new EgressPolicy(false, List.of(), List.of(), List.of("192.0.2.0/24"), List.of()),
                HostResolver.SYSTEM, () -> Set.of(own)).check(URI.create("http://192.0.2.77:8080/"))).doesNotThrowAnyException();
    }

    @Test
    void real_interface_addresses_are_found() throws Exception {
        Set<InetAddress> own = new EgressGuard.InterfaceAddresses(Duration.ofSeconds(1)).get();

        assertThat(own).contains(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void an_allow_list_of_everything_does_not_open_loopback() {
        EgressGuard guard = new EgressGuard(new EgressPolicy(false, List.of(), List.of(), List.of("0.0.0.0/0", "::/0"), List.of()));

        assertThatThrownBy(() -> guard.check(URI.create("http://127.0.0.1/"))).hasMessageContaining("loopback");
        assertThatCode(() -> guard.check(URI.create("http://8.8.8.8/"))).doesNotThrowAnyException();
    }

    @Test
    void a_name_is_resolved_through_the_resolver_and_every_answer_is_checked() {
        HostResolver resolver = host -> new InetAddress[] {
                InetAddress.getByName("93.184.215.14"), InetAddress.getByName("169.254.169.254")};
        EgressGuard guard = new EgressGuard(EgressPolicy.defaults(), resolver);

        assertThatThrownBy(() -> guard.check(URI.create("https://tool.example.com/"))).hasMessageContaining("169.254.169.254");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "http://10.1.2.3/, refused",
            "http://10.9.9.9/, allowed",
            "http://192.168.1.5/, refused",
            "http://172.16.0.1/, allowed",
            "http://127.0.0.1/, allowed",
    })
    void deny_list_beats_allow_list_and_allow_list_limits_destinations(String url, String expected) {
        EgressGuard guard = new EgressGuard(new EgressPolicy(true, List.of(), List.of(),
                List.of("10.0.0.0/8", "172.16.0.0/12"), List.of("10.1.0.0/16")));


        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));

        assertThat(e == null ? "allowed" : "refused").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ftp://127.0.0.1/file", "file:///etc/passwd"})
    void only_http_schemes_may_be_called(String url) {
        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> DEFAULTS.check(URI.create(url)));

        assertThat(e.retryable()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"http://127.0.0.1/", "http://127.0.0.2/"})
    void denied_host_pattern_is_refused_naming_the_host(String url) {
        EgressGuard guard = new EgressGuard(new EgressPolicy(true, List.of(), List.of("127.0.0.1", "*.internal.example"),
                List.of(), List.of("127.0.0.2/32")));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> guard.check(URI.create(url)));

        assertThat(e.getMessage()).contains("'" + URI.create(url).getHost() + "'");
    }
}
