package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.Test;

/** A failed delivery's last_error says what happened on the wire in words, never a Java class name. */
class WebhookErrorTextTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void each_kind_of_wire_failure_is_described_in_words() {
        assertThat(DeliverWebhooks.describe(new ConnectTimeoutException("Connect to http://hooks.example:443 failed: Connect timed out"), TIMEOUT))
                .isEqualTo("could not connect within 10000 ms");
        assertThat(DeliverWebhooks.describe(new SocketTimeoutException("Read timed out"), TIMEOUT))
                .isEqualTo("no answer within 10000 ms");
        assertThat(DeliverWebhooks.describe(new ConnectException(), TIMEOUT)).isEqualTo("cannot connect");
        assertThat(DeliverWebhooks.describe(new ConnectException("Connection refused"), TIMEOUT))
                .isEqualTo("cannot connect: Connection refused");
        assertThat(DeliverWebhooks.describe(new UnknownHostException("hooks.example"), TIMEOUT))
                .isEqualTo("unknown host: hooks.example");
        assertThat(DeliverWebhooks.describe(new SSLHandshakeException("PKIX path building failed"), TIMEOUT))
                .isEqualTo("TLS failed: PKIX path building failed");
        assertThat(DeliverWebhooks.describe(new IOException("HTTP/1.1 header parser received no bytes"), TIMEOUT))
                .isEqualTo("the connection failed: HTTP/1.1 header parser received no bytes")
                .doesNotContain("Exception");
    }
}
