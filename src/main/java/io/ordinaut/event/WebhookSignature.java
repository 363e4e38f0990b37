package io.ordinaut.event;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.ordinaut.agent.WebhookSecrets;

/**
 * The {@code Ordinaut-Signature} header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">} with the
 * agent's webhook secret. A receiver recomputes v1 over the timestamp and the raw body it received and
 * refuses old timestamps (replays); see docs/events.md.
 */
final class WebhookSignature {

    static final String HEADER = "Ordinaut-Signature";

    private WebhookSignature() {
    }

    static String newSecret() {
        return WebhookSecrets.newSecret();
    }

    static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
    }

    static String hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
