package io.ordinaut.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Hears of every call no route of ours answered — an unknown path or a wrong method refused before any
 * interceptor ran, a filter's refusal (actuator), the {@code /mcp} servlet's — once its answer is decided, so the
 * audit log can record the refusals among them by the rules its interceptor applies to routed calls.
 */
public interface UnroutedCalls {

    void completed(HttpServletRequest request, HttpServletResponse response);
}
