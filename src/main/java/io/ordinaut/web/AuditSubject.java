package io.ordinaut.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Lets a handler name the subject of its audit row when the path does not (a created resource's id),
 * and add facts to the row's details (how many tasks a batch created).
 */
public final class AuditSubject {

    public static final String ATTRIBUTE = "ordinaut.audit.subject";
    /**
     * Request attribute naming the audit row's action when it is not the route's own (an MCP tool
     * answered by its REST twin: {@code mcp:create_task}); such calls are audited even when they only read.
     */
    public static final String ACTION = "ordinaut.audit.action";
    public static final String DETAILS_ATTRIBUTE = "ordinaut.audit.details";

    private AuditSubject() {
    }

    public static void set(Object id) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null && id != null) {
            attributes.setAttribute(ATTRIBUTE, id.toString(), RequestAttributes.SCOPE_REQUEST);
        }
    }

    /** Adds one fact to the call's audit details: counts and ids, never request content (it may hold secrets). */
    public static void detail(String key, Object value) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes == null) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) attributes.getAttribute(DETAILS_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        if (details == null) {
            details = new LinkedHashMap<>();
            attributes.setAttribute(DETAILS_ATTRIBUTE, details, RequestAttributes.SCOPE_REQUEST);
        }
        details.put(key, value);
    }
}
