package io.ordinaut.console;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Security headers on every console response. The policy allows scripts, styles and connections to this
 * origin only — no inline script or style, no eval, no framing — so a value shown in the console (a
 * task title, a tool's output) can never run as code even if it slipped past the templates' escaping.
 */
class ContentSecurityPolicyFilter implements Filter {

    static final String POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletResponse http = (HttpServletResponse) response;
        http.setHeader("Content-Security-Policy", POLICY);
        http.setHeader("X-Content-Type-Options", "nosniff");
        http.setHeader("X-Frame-Options", "DENY");
        http.setHeader("Referrer-Policy", "no-referrer");
        // The shell and its scripts change with the node's version; revalidate rather than run stale code.
        http.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }
}
