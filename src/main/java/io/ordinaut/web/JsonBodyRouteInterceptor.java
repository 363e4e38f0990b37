package io.ordinaut.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Routes that take a body take it as {@code application/json}: any other Content-Type, a malformed one, or none
 * is the 415 of {@link ApiExceptionHandler}. Checked here, after the access check, rather than by
 * {@code consumes = APPLICATION_JSON_VALUE} on the mappings: Spring judges {@code consumes} while it chooses the
 * route, before any interceptor runs, so a caller without a token got a 415 instead of its 401 — and spent
 * nothing of its address's unauthenticated budget. The OpenAPI description still says application/json
 * (springdoc's default for a request body). A {@code @RequestBody(required = false)} sent without a body is let
 * through, as {@code consumes} let it.
 */
final class JsonBodyRouteInterceptor implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws HttpMediaTypeNotSupportedException {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            return true; // not ours (actuator, springdoc): left as their authors made them
        }
        RequestBody body = bodyParameter(method);
        if (body == null || (!body.required() && !hasBody(request)) || isJson(request.getContentType())) {
            return true;
        }
        // ApiExceptionHandler words it from the header as sent: none, not taken, malformed, an unknown charset.
        throw new HttpMediaTypeNotSupportedException("Content-Type " + request.getContentType() + " is not application/json");
    }

    private static RequestBody bodyParameter(HandlerMethod method) {
        for (var parameter : method.getMethodParameters()) {
            RequestBody body = parameter.getParameterAnnotation(RequestBody.class);
            if (body != null) {
                return body;
            }
        }
        return null;
    }

    /** As Spring's {@code consumes} judges it: a body is announced by either header. */
    private static boolean hasBody(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.CONTENT_LENGTH) != null || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.APPLICATION_JSON.includes(MediaType.parseMediaType(contentType));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
