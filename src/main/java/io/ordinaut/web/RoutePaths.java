package io.ordinaut.web;

import java.util.Collection;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Whether a request's path, as sent, names a route, by the rule the MVC routes match with: segment by segment,
 * percent-encoding decoded and matrix parameters aside ({@code /tasks;x=1} and {@code /t%61sks} are {@code /tasks}),
 * and no normalising of the path first — the container does that before it picks a servlet, so {@code //mcp},
 * {@code /./mcp} or {@code /x/../mcp} reach a servlet mapped to {@code /mcp}, while the same forms of {@code /tasks}
 * are 404. Every decision by path (a budget, an audit rule) goes through here, never through the raw
 * {@link HttpServletRequest#getRequestURI()}: else a spelling that Spring routes to a handler escapes the rule
 * written for that handler's path.
 */
public final class RoutePaths {

    private RoutePaths() {
    }

    /** @param route a literal path, {@code /mcp}, or a pattern, {@code /console/**} */
    public static boolean matches(HttpServletRequest request, String route) {
        return PathPatternParser.defaultInstance.parse(route).matches(path(request));
    }

    /** Routes parsed once, for {@link #matchesAny}. */
    public static List<PathPattern> parse(Collection<String> routes) {
        return routes.stream().map(PathPatternParser.defaultInstance::parse).toList();
    }

    public static boolean matchesAny(HttpServletRequest request, List<PathPattern> routes) {
        PathContainer path = path(request);
        return routes.stream().anyMatch(route -> route.matches(path));
    }

    private static PathContainer path(HttpServletRequest request) {
        return RequestPath.parse(request.getRequestURI(), request.getContextPath()).pathWithinApplication();
    }
}
