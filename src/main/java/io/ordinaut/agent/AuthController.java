package io.ordinaut.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.JsonFields;
import io.ordinaut.audit.AuditLog;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.PublicEndpoint;
import io.ordinaut.web.RequestContext;

/** /agents/auth: trading an agent's secret for tokens, refreshing and revoking them. */
@RestController
@Tag(name = "agents")
@PublicEndpoint
class AuthController {

    private static final Logger log = LoggerFactory.getLogger(AuthController.class);
    private static final String INVALID = "Invalid agent_id or agent_secret";
    /** The same for a replay, so the answer does not say which refresh tokens were once good. */
    private static final String REFUSED_REFRESH = "The refresh token is unknown, expired, used or revoked";
    /**
     * The one answer to every revocation, whatever the token was (RFC 7009), so it must be true of each: the admin
     * token, which is no session's, stays valid.
     */
    private static final String REVOKED = "If the token belonged to a live session, that session's tokens are revoked";

    private final Credentials credentials;
    private final TokenStore tokens;
    private final AuditLog audit;

    AuthController(Credentials credentials, TokenStore tokens, AuditLog audit) {
        this.credentials = credentials;
        this.tokens = tokens;
        this.audit = audit;
    }

    @PostMapping(path = "/agents/auth/token")
    @Operation(operationId = "issueToken", summary = "Exchange an agent id and secret for tokens",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TokenRequest.class))))
    Map<String, Object> token(@RequestBody Object body, HttpServletRequest request) {
        JsonFields f = JsonFields.of(body).allowOnly(List.of("agent_id", "agent_secret"));
        String rawId = f.string("agent_id", 1, 100);
        String secret = f.string("agent_secret", 1, 500);
        if (rawId == null || secret == null) {
            throw ApiException.badRequest(rawId == null ? "agent_id" : "agent_secret", "agent_id and agent_secret are required");
        }
        UUID agentId;
        try {
            agentId = UUID.fromString(rawId);
        } catch (IllegalArgumentException e) {
            throw ApiException.unauthorized(INVALID);
        }
        AuditSubject.set(agentId);
        Credentials.Verdict verdict = credentials.verify(agentId, secret, RequestContext.clientAddress(request));
        if (verdict.lockedFor() != null) {
            long seconds = Math.max(1, verdict.lockedFor().toSeconds());
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RateLimited",
                    "Too many failed attempts for this agent from this address; try again in " + seconds + " s",
                    Map.of("retry_after_seconds", seconds)).withHeader("Retry-After", Long.toString(seconds));
        }
        if (!verdict.accepted()) {
            throw ApiException.unauthorized(INVALID);
        }
        return answer(tokens.issue(agentId));
    }

    @PostMapping(path = "/agents/auth/refresh")
    @Operation(operationId = "refreshToken", summary = "Exchange a refresh token for new tokens",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TokenRefreshRequest.class))))
    Map<String, Object> refresh(@RequestBody Object body, HttpServletRequest request) {
        JsonFields f = JsonFields.of(body).allowOnly(List.of("refresh_token"));
        String refresh = f.requiredString("refresh_token", 1, 500);
        TokenStore.Refresh outcome = tokens.refresh(refresh);
        if (outcome instanceof TokenStore.Refresh.Issued issued) {
            return answer(issued.tokens());
        }
        if (outcome instanceof TokenStore.Refresh.Reused reused && reused.revoked() > 0) {
            // A 401 is only counted per address by the audit interceptor; a stolen session ended deserves a row of its own.
            log.warn("Agent {}: a used refresh token was presented again; its session ({} live tokens) is revoked",
                    reused.agentId(), reused.revoked());
            audit.record(null, "token.refresh_reused", reused.agentId().toString(),
                    Map.of("family", reused.family().toString(), "revoked_tokens", reused.revoked()),
                    RequestContext.requestId(request), request.getMethod(), request.getRequestURI(),
                    HttpStatus.UNAUTHORIZED.value(), RequestContext.clientAddress(request));
        }
        throw ApiException.unauthorized(REFUSED_REFRESH);
    }

    /**
     * Holding a token is the authority to revoke it (and the rest of its session). Every token gets the same
     * answer (RFC 7009 2.2), so it tells no one which tokens are live — nor which one is the system admin token,
     * which is not revoked: it is operator configuration that every node start restores. A call that revoked
     * nothing proved no credential: it costs its address a unit of the unauthenticated budget and writes no
     * audit row (see {@link RequestContext#markNoValidCredential}).
     */
    @PostMapping(path = "/agents/auth/revoke")
    @Operation(operationId = "revokeToken", summary = "Revoke a token and the tokens issued with it",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TokenRevokeRequest.class))))
    Map<String, Object> revoke(@RequestBody Object body, HttpServletRequest request) {
        JsonFields f = JsonFields.of(body).allowOnly(List.of("token"));
        TokenStore.Revocation outcome = tokens.revoke(f.requiredString("token", 1, 500));
        if (outcome instanceof TokenStore.Revocation.Revoked revoked) {
            AuditSubject.set(revoked.agentId());
            AuditSubject.detail("family", revoked.family().toString());
            AuditSubject.detail("revoked_tokens", revoked.tokens());
        } else {
            if (outcome instanceof TokenStore.Revocation.AdminToken) {
                // The holder probably believes it leaked; the operator must learn it still works, though the caller may not.
                log.warn("POST /agents/auth/revoke was given the system admin token from {}; it stays valid: it is operator "
                        + "configuration (set a new ORDINAUT_ADMIN_TOKEN on every node and restart them to replace it)",
                        RequestContext.clientAddress(request));
            }
            RequestContext.markNoValidCredential(request);
        }
        return Map.of("success", true, "message", REVOKED, "details", Map.of());
    }

    private static Map<String, Object> answer(TokenStore.IssuedTokens issued) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("access_token", issued.accessToken());
        out.put("refresh_token", issued.refreshToken());
        out.put("expires_in", issued.expiresIn());
        out.put("token_type", "bearer");
        return out;
    }
}
