package io.ordinaut.web;

import java.util.Optional;

/** Turns a bearer token into the agent it belongs to; empty when unknown, expired or revoked. */
public interface Authenticator {
    Optional<Caller> authenticate(String bearerToken);
}
