package io.ordinaut.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.Caller;
import io.ordinaut.web.RequestContext;

/**
 * Writes one audit row for every mutating call to our routes — refused ones too (403, 4xx), so probing
 * shows up. Calls refused for want of a valid token (401, on any method) and the other refusals of the public
 * auth routes to callers who proved nothing (a 400 for a bad body; see {@link RequestContext#refusedAnonymously})
 * are counted per client address and minute instead of one row each: nobody is known to blame, and a flood must not grow the table
 * without bound; for the same reason a call that proved no credential and changed nothing (a revocation
 * of a token that was not live) writes no row. A call answered 503 because the database is unreachable writes
 * none either: it could not be stored. Registered before access control so it sees calls that control rejects.
 */
class AuditInterceptor implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Set<String> SUBJECT_VARIABLES = Set.of("id", "address", "task_id", "taskId");

    private final AuditLog audit;

    AuditInterceptor(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            return;
        }
        if (RequestContext.failedForDatabase(request)) {
            // The row cannot be written while the database is unreachable, and trying would wait a second
            // connection timeout before the 503 goes out; the request's WARN line is its record.
            return;
        }
        boolean refused = RequestContext.refusedAnonymously(request, response.getStatus());
        Object named = request.getAttribute(AuditSubject.ACTION);
        if (!refused && named == null && !MUTATING.contains(request.getMethod())) {
            return;
        }
        if (!refused && RequestContext.hadNoValidCredential(request)) {
            // A revocation that revoked nothing: no caller, no change, and anyone may send it as often as the
            // address budget allows — a row each would let anyone grow the table.
            return;
        }
        try {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            String action = named != null ? named.toString()
                    : request.getMethod() + " " + (pattern == null ? request.getRequestURI() : pattern);
            @SuppressWarnings("unchecked")
            Map<String, String> variables = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
            String subject = (String) request.getAttribute(AuditSubject.ATTRIBUTE);
            if (subject == null && variables != null) {
                subject = variables.entrySet().stream().filter(e -> SUBJECT_VARIABLES.contains(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
            }
            if (refused) {
                audit.countRefusal(RequestContext.clientAddress(request), action, subject, RequestContext.requestId(request),
                        request.getMethod(), request.getRequestURI(), response.getStatus());
                return;
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", response.getStatus());
            if (named != null) {
                details.put("route", request.getMethod() + " " + (pattern == null ? request.getRequestURI() : pattern));
            }
            if (variables != null && !variables.isEmpty()) {
                details.put("path_variables", variables);
            }
            if (request.getAttribute(AuditSubject.DETAILS_ATTRIBUTE) instanceof Map<?, ?> extra) {
                extra.forEach((k, v) -> details.putIfAbsent(k.toString(), v));
            }
            Caller caller = RequestContext.caller(request);
            audit.record(caller == null ? null : caller.agentId(), action, subject, details, RequestContext.requestId(request),
                    request.getMethod(), request.getRequestURI(), response.getStatus(), RequestContext.clientAddress(request));
        } catch (RuntimeException e) {
            log.warn("Could not write the audit row for {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        }
    }
}
