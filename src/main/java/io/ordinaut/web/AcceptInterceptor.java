package io.ordinaut.web;

import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Refuses, before the route runs, a request whose {@code Accept} header admits nothing the route answers
 * with. Spring MVC finds that out only when it writes the answer — after the route has created, paused or
 * deleted what it was asked to — so a client told 406 that retries would act twice.
 */
class AcceptInterceptor implements HandlerInterceptor {

    private static final List<MediaType> JSON = List.of(MediaType.APPLICATION_JSON);

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws HttpMediaTypeNotAcceptableException {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            return true;
        }
        String accept = request.getHeader("Accept");
        if (accept == null || accept.isBlank()) {
            return true;
        }
        List<MediaType> produced = producible(request);
        List<MediaType> accepted;
        try {
            accepted = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotAcceptableException("Accept header is malformed: " + e.getMessage());
        }
        for (MediaType wanted : accepted) {
            if (wanted.getQualityValue() == 0) {
                continue;
            }
            for (MediaType offered : produced) {
                if (wanted.isCompatibleWith(offered)) {
                    return true;
                }
            }
        }
        throw new HttpMediaTypeNotAcceptableException(produced);
    }

    /** What the route answers with: its declared {@code produces}, or JSON — every other route of ours answers JSON. */
    @SuppressWarnings("unchecked")
    private static List<MediaType> producible(HttpServletRequest request) {
        Object declared = request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE);
        if (declared instanceof Set<?> types && !types.isEmpty()) {
            return List.copyOf((Set<MediaType>) types);
        }
        return JSON;
    }
}
