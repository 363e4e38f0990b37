package io.ordinaut.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.server.RequestPath;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Whether a request's path, as sent, names a route, by the rule the MVC routes match with: segment by segment,
 * matrix parameters aside ({@code /tasks;x=1} is {@code /tasks}), and no normalising of the path first — the
 * container does that before it picks a servlet, so {@code //mcp}, {@code /./mcp} or {@code /x/../mcp} reach a
 * servlet mapped to {@code /mcp}, while the same forms of {@code /tasks} are 404.
 */
public final class RoutePaths {

    private RoutePaths() {
    }

    /** @param route a literal path, {@code /mcp} */
    public static boolean matches(HttpServletRequest request, String route) {
        RequestPath path = RequestPath.parse(request.getRequestURI(), request.getContextPath());
        return PathPatternParser.defaultInstance.parse(route).matches(path.pathWithinApplication());
    }
}
