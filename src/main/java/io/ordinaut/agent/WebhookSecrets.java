package io.ordinaut.agent;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Webhook signing secrets. Unlike agent secrets they are kept as they are — the node needs the secret
 * itself to sign each delivery (HMAC) — and shown to the caller once, when made.
 */
public final class WebhookSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecrets() {
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
