package io.ordinaut.web;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/** Lets a handler name the subject of its audit row when the path does not (a created resource's id). */
public final class AuditSubject {

    public static final String ATTRIBUTE = "ordinaut.audit.subject";
    /**
     * Request attribute naming the audit row's action when it is not the route's own (an MCP tool
     * answered by its REST twin: {@code mcp:create_task}); such calls are audited even when they only read.
     */
    public static final String ACTION = "ordinaut.audit.action";

    private AuditSubject() {
    }

    public static void set(Object id) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null && id != null) {
            attributes.setAttribute(ATTRIBUTE, id.toString(), RequestAttributes.SCOPE_REQUEST);
        }
    }
}
