package io.ordinaut.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

import io.ordinaut.JsonFields;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Routes that take no body (the actions — pause, resume, cancel, run_now, retry, credentials, trigger pause —
 * and deletes) judge the body they are sent by the rules of every route that takes one, instead of ignoring
 * it: a non-empty body that is not {@code application/json}, or has no Content-Type, is a 415; one that is
 * JSON must be an object without fields ({@code {}}), so {@code {"x": 1}} is the 400 of any unknown field.
 * No body, an empty or blank one (whatever its Content-Type), or {@code {}} is accepted, as clients and the
 * docs' examples send them. It runs after the access check, so a caller without a token learns nothing here.
 */
final class BodylessRouteInterceptor implements HandlerInterceptor {

    private static final Set<String> WITHOUT_BODY = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final String TAKES = "this route takes no body, or {} as application/json";

    private final JsonMapper json;

    BodylessRouteInterceptor(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws IOException {
        if (!(handler instanceof HandlerMethod method) || WITHOUT_BODY.contains(request.getMethod()) || readsBody(method)) {
            return true;
        }
        String declared = request.getContentType();
        if (declared != null && parsedBeforeHandlers(declared) && declaresBody(request)) {
            // Spring has already read such a body into request parameters (FormContentFilter, the multipart
            // resolver), so the stream below would look empty: judge it by what the request declares.
            throw unsupported(ContentTypes.refusal(declared, TAKES));
        }
        byte[] body;
        try {
            body = request.getInputStream().readAllBytes(); // bounded by BodySizeLimitFilter
        } catch (BodySizeLimitFilter.BodyTooLarge e) {
            throw BodySizeLimitFilter.refusal(e.max());
        }
        if (blank(body)) {
            return true;
        }
        String contentType = request.getContentType();
        if (contentType == null) {
            throw unsupported("The request has a body but no Content-Type; this route takes none, or {} as application/json");
        }
        if (!isJson(contentType)) {
            throw unsupported(ContentTypes.refusal(contentType, TAKES));
        }
        Object parsed;
        try {
            parsed = json.readValue(body, Object.class);
        } catch (JacksonException e) {
            throw JsonSyntaxErrors.refusal(e);
        }
        JsonFields.of(parsed).allowOnly(List.of());
        return true;
    }

    /** Handlers that read the body themselves: a {@code @RequestBody}, or the request or its stream. */
    private static boolean readsBody(HandlerMethod method) {
        if (!method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            return true; // not ours (actuator, springdoc): left as their authors made them
        }
        for (var parameter : method.getMethodParameters()) {
            Class<?> type = parameter.getParameterType();
            if (parameter.hasParameterAnnotation(RequestBody.class) || ServletRequest.class.isAssignableFrom(type)
                    || java.io.InputStream.class.isAssignableFrom(type) || java.io.Reader.class.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean parsedBeforeHandlers(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return MediaType.APPLICATION_FORM_URLENCODED.includes(type) || "multipart".equalsIgnoreCase(type.getType());
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static boolean declaresBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
    }

    private static boolean isJson(String contentType) {
        try {
            return MediaType.APPLICATION_JSON.includes(MediaType.parseMediaType(contentType));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static ApiException unsupported(String message) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType", message, Map.of());
    }
}
