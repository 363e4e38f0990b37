package io.ordinaut.web;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Spring MVC's handler mapping with one rule more: a path a route names literally belongs to that route. Left
 * to Spring, {@code GET /tasks/batch} matched {@code GET /tasks/{id}} — a task named "batch", 404 — though the
 * path is known and only the method is wrong; here it is the 405 with {@code Allow: POST} that any known path
 * answers for a wrong method (the same for {@code /tools/discover}, {@code /admin/triggers/repair}, and any
 * literal route added later). No pattern changes, so audit actions and metric tags keep their route names.
 */
final class LiteralPathHandlerMapping extends RequestMappingHandlerMapping {

    /** Literal path → the methods its routes take; a path some route takes with any method is left out. */
    private Map<String, Set<String>> literalMethods = Map.of();

    @Override
    public void afterPropertiesSet() {
        super.afterPropertiesSet();
        Map<String, Set<String>> methods = new HashMap<>();
        Set<String> anyMethod = new HashSet<>();
        for (RequestMappingInfo info : getHandlerMethods().keySet()) {
            if (info.getPathPatternsCondition() == null) {
                continue;
            }
            for (PathPattern pattern : info.getPathPatternsCondition().getPatterns()) {
                if (pattern.hasPatternSyntax()) {
                    continue;
                }
                Set<RequestMethod> declared = info.getMethodsCondition().getMethods();
                if (declared.isEmpty()) {
                    anyMethod.add(pattern.getPatternString());
                }
                Set<String> names = methods.computeIfAbsent(pattern.getPatternString(), p -> new TreeSet<>());
                declared.forEach(m -> names.add(m.name()));
            }
        }
        anyMethod.forEach(methods::remove);
        literalMethods = Map.copyOf(methods);
    }

    @Override
    protected HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request) throws Exception {
        Set<String> allowed = literalMethods.get(lookupPath);
        String method = request.getMethod();
        // OPTIONS and HEAD keep Spring's own handling (HEAD follows GET).
        if (allowed != null && !allowed.contains(method) && !method.equals("OPTIONS")
                && !(method.equals("HEAD") && allowed.contains("GET"))) {
            throw new HttpRequestMethodNotSupportedException(method, allowed);
        }
        return super.lookupHandlerMethod(lookupPath, request);
    }

    /** OPTIONS on a literal path lists its own routes' methods, not those of a pattern such as {@code /tasks/{id}}. */
    @Override
    protected HandlerMethod handleNoMatch(Set<RequestMappingInfo> infos, String lookupPath, HttpServletRequest request)
            throws ServletException {
        if (literalMethods.containsKey(lookupPath)) {
            infos = infos.stream().filter(info -> info.getPathPatternsCondition() != null
                    && info.getPathPatternsCondition().getPatternValues().contains(lookupPath)).collect(Collectors.toSet());
        }
        return super.handleNoMatch(infos, lookupPath, request);
    }
}
