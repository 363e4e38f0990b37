package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.HttpRequestHandler;

import tools.jackson.databind.json.JsonMapper;

/**
 * /error, in place of Spring Boot's BasicErrorController. The servlet container forwards here what failed
 * outside Spring MVC's exception handling (a filter that threw, a {@code sendError} from a library); the
 * answer is the one error JSON with the status the container recorded. Asked for directly, /error is no
 * endpoint: 404, where Boot's controller answered 500 {@code {"status":999,"error":"None"}}.
 *
 * <p>A plain handler under its bean name, not a controller method: the interceptors that act on our
 * controllers (audit rows, the Accept check, scopes) have nothing to do with it — no Accept header can turn an
 * error away. A mutating call to /error is audited as any unknown path is ({@link UnroutedCallFilter}).
 */
@Component("/error")
class ErrorEndpoint implements ErrorController, HttpRequestHandler {

    private final JsonMapper json;
    private final Clock clock;

    ErrorEndpoint(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void handleRequest(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer c ? HttpStatus.resolve(c) : null;
        ApiException error;
        if (status == null || status.value() < 400) {
            error = new ApiException(HttpStatus.NOT_FOUND, "NotFound", "No endpoint " + request.getMethod() + " " + request.getRequestURI(),
                    Map.of());
        } else {
            Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
            String message = status.is5xxServerError()
                    ? "The server failed to handle the request; see the node log for request " + ErrorResponses.requestId(request)
                    : status.getReasonPhrase() + (uri == null ? "" : " (" + uri + ")");
            error = new ApiException(status, errorName(status), message, Map.of());
        }
        response.resetBuffer();
        ErrorResponses.write(request, response, json, clock, error);
    }

    /** The documented {@code error} of a status (docs/api.md, Errors); others by their reason phrase. */
    static String errorName(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "ValidationError";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            case NOT_FOUND -> "NotFound";
            case METHOD_NOT_ALLOWED -> "MethodNotAllowed";
            case NOT_ACCEPTABLE -> "NotAcceptable";
            case CONFLICT -> "Conflict";
            case CONTENT_TOO_LARGE -> "PayloadTooLarge";
            case UNSUPPORTED_MEDIA_TYPE -> "UnsupportedMediaType";
            case TOO_MANY_REQUESTS -> "RateLimited";
            case INTERNAL_SERVER_ERROR -> "InternalError";
            case SERVICE_UNAVAILABLE -> "ServiceUnavailable";
            default -> camelCase(status.getReasonPhrase());
        };
    }

    /** "HTTP Version not supported" → "HttpVersionNotSupported", in the style of the names above. */
    private static String camelCase(String reason) {
        StringBuilder name = new StringBuilder();
        for (String word : reason.split("[^A-Za-z]+")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return name.isEmpty() ? "Error" : name.toString();
    }
}
