package io.ordinaut;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Why java.net.URI found no host in an http(s) URL, for each kind of authority it does not take. */
class UrlHostsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://127.1:9/            | its host '127.1' is an IPv4 address in a short or hexadecimal form
            http://user@10.1/x         | its host '10.1' is an IPv4 address in a short or hexadecimal form
            http://0x7f.0.0.1/         | its host '0x7f.0.0.1' is an IPv4 address in a short or hexadecimal form
            http://1.2.3.256/          | its host '1.2.3.256' is no IPv4 address: each of the four numbers is 0 to 255
            http://a_b.example:80/     | its host 'a_b.example' is neither a host name
            http://x.y.1/              | its host 'x.y.1' is neither a host name
            http://:80/                | it has no host
            http:///x                  | it has no host
            """)
    void a_url_without_a_host_says_why(String url, String why) {
        assertThat(UrlHosts.whyNoHost(URI.create(url))).startsWith(why);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"http://127.0.0.1:9/", "https://example.com/", "http://[::1]/", "HTTPS://hooks.example"})
    void a_url_with_a_host_has_no_reason(String url) {
        assertThat(UrlHosts.whyNoHost(URI.create(url))).isNull();
    }
}
