package io.ordinaut.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.Caller;
import io.ordinaut.web.RequestContext;
import io.ordinaut.web.UnroutedCalls;

/**
 * Writes one audit row for every mutating call to our routes — refused ones too (403, 4xx), so probing
 * shows up — and for every 403, whatever its method, naming the agent refused. Calls no route of ours answered
 * come from the web layer's {@code UnroutedCallFilter} through {@link #completed}: of those, a 403 and a mutating
 * call answered 404 (no such route) or 405 are written the same way. Calls refused for want of a valid token (401,
 * on any method), the other refusals of the public auth routes to callers who proved nothing (a 400 for a bad body),
 * and mutating calls answered 404 or 405 to them (see {@link RequestContext#refusedAnonymously}) are counted per
 * client address and minute instead of one row each: nobody is known to blame, and a flood must not grow the table
 * without bound; for the same reason a call that proved no credential and changed nothing (a revocation
 * of a token that was not live) writes no row. An agent over its call budget is refused at whatever rate it sends, so
 * those refusals (429, and unrouted calls while over it) are counted per agent and minute. A call answered 503 because the database is unreachable writes
 * none either: it could not be stored. Registered before access control so it sees calls that control rejects.
 */
@Component
class AuditInterceptor implements HandlerInterceptor, UnroutedCalls {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final Set<String> SUBJECT_VARIABLES = Set.of("id", "address", "task_id", "taskId");
    /** Longer than any id or tool address a route takes (200 characters at most). */
    private static final int MAX_VALUE = 200;
    private static final int MAX_PATH = 2000;

    private final AuditLog audit;

    AuditInterceptor(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            return;
        }
        RequestContext.markRouted(request);
        write(request, response, true);
    }

    @Override
    public void completed(HttpServletRequest request, HttpServletResponse response) {
        write(request, response, false);
    }

    /** @param routed whether a route of ours answered the call; else only its refusals are written */
    private void write(HttpServletRequest request, HttpServletResponse response, boolean routed) {
        if (RequestContext.failedForDatabase(request)) {
            // The row cannot be written while the database is unreachable, and trying would wait a second
            // connection timeout before the 503 goes out; the request's WARN line is its record.
            return;
        }
        int status = response.getStatus();
        boolean refused = RequestContext.refusedAnonymously(request, status);
        Object named = request.getAttribute(AuditSubject.ACTION);
        Caller caller = RequestContext.caller(request);
        boolean mutation = RequestContext.mutating(request) && (routed || status == 404 || status == 405);
        if (!refused && named == null && !mutation && !(status == 403 && caller != null)) {
            return;
        }
        if (!refused && RequestContext.hadNoValidCredential(request)) {
            // A revocation that revoked nothing: no caller, no change, and anyone may send it as often as the
            // address budget allows — a row each would let anyone grow the table.
            return;
        }
        try {
            // Where no route matched, the path as sent, bounded as every row's path column is.
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            String path = bounded(request.getRequestURI(), MAX_PATH);
            String action = named != null ? named.toString() : request.getMethod() + " " + (pattern == null ? path : pattern);
            @SuppressWarnings("unchecked")
            Map<String, String> variables = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
            String subject = (String) request.getAttribute(AuditSubject.ATTRIBUTE);
            if (subject == null && variables != null) {
                subject = variables.entrySet().stream().filter(e -> SUBJECT_VARIABLES.contains(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
            }
            subject = bounded(subject, MAX_VALUE);
            if (refused) {
                audit.countRefusal(RequestContext.clientAddress(request), action, subject, RequestContext.requestId(request),
                        request.getMethod(), path, status);
                return;
            }
            if (RequestContext.refusedOverBudget(request, status)) {
                audit.countAgentRefusal(caller.agentId(), RequestContext.clientAddress(request), action, subject,
                        RequestContext.requestId(request), request.getMethod(), path, status);
                return;
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", status);
            if (named != null) {
                details.put("route", request.getMethod() + " " + (pattern == null ? path : pattern));
            }
            if (variables != null && !variables.isEmpty()) {
                Map<String, String> kept = new LinkedHashMap<>();
                variables.forEach((name, value) -> kept.put(name, bounded(value, MAX_VALUE)));
                details.put("path_variables", kept);
            }
            if (request.getAttribute(AuditSubject.DETAILS_ATTRIBUTE) instanceof Map<?, ?> extra) {
                extra.forEach((k, v) -> details.putIfAbsent(k.toString(), v));
            }
            audit.record(caller == null ? null : caller.agentId(), action, subject, details, RequestContext.requestId(request),
                    request.getMethod(), path, status, RequestContext.clientAddress(request));
        } catch (RuntimeException e) {
            log.warn("Could not write the audit row for {} {}: {}", request.getMethod(), bounded(request.getRequestURI(), MAX_PATH),
                    e.getMessage());
        }
    }

    /**
     * At most {@code max} characters and a note of the length: the row records what was asked for, and a caller must not
     * grow it at will (the MCP tools' in-process calls reach routes with paths no HTTP server would take).
     */
    static String bounded(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        return value.substring(0, max) + "… (" + value.length() + " characters)";
    }
}
