package io.ordinaut.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import tools.jackson.core.JacksonException;

import io.ordinaut.ConflictException;
import io.ordinaut.ForbiddenException;
import io.ordinaut.InvalidInputException;
import io.ordinaut.NotFoundException;
import io.ordinaut.PayloadTooLargeException;
import io.ordinaut.UpstreamFailureException;

/** Maps every failure to the one error JSON; a stack trace never reaches a caller. */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private final Clock clock;

    ApiExceptionHandler(Clock clock) {
        this.clock = clock;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> api(ApiException e, HttpServletRequest request) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        e.headers().forEach((name, value) -> response.header(name, value));
        return body(response, e.error(), e.getMessage(), e.details(), request);
    }

    // The domain's own failures (thrown by task, schedule, pipeline, tool …, which know nothing of HTTP).

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<ApiError> invalid(InvalidInputException e, HttpServletRequest request) {
        return body(HttpStatus.BAD_REQUEST, "ValidationError", e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ApiError> notFound(NotFoundException e, HttpServletRequest request) {
        return api(ApiException.notFound(e.resource(), e.id()), request);
    }

    @ExceptionHandler(ForbiddenException.class)
    ResponseEntity<ApiError> forbidden(ForbiddenException e, HttpServletRequest request) {
        return body(HttpStatus.FORBIDDEN, "Forbidden", e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<ApiError> conflict(ConflictException e, HttpServletRequest request) {
        return body(HttpStatus.CONFLICT, "Conflict", e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<ApiError> tooLarge(PayloadTooLargeException e, HttpServletRequest request) {
        return body(HttpStatus.CONTENT_TOO_LARGE, "PayloadTooLarge", e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(UpstreamFailureException.class)
    ResponseEntity<ApiError> upstream(UpstreamFailureException e, HttpServletRequest request) {
        return body(HttpStatus.BAD_GATEWAY, e.error(), e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimitFilter.BodyTooLarge tooLarge) {
                return api(BodySizeLimitFilter.refusal(tooLarge.max()), request);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException parse) {
                return api(JsonSyntaxErrors.refusal(parse), request);
            }
        }
        String message = "Request body is not valid JSON of the expected shape";
        if (e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")) {
            message = "Request body is required";
        }
        return api(ApiException.badRequest("body", message), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return api(ApiException.badRequest(e.getParameterName(), "Query parameter " + e.getParameterName() + " is required"), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return api(ApiException.badRequest(e.getName(), "Parameter " + e.getName() + " has an invalid value"), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", e.getMethod());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED);
        if (e.getSupportedMethods() != null) {
            details.put("allowed", e.getSupportedMethods());
            response.header("Allow", String.join(", ", e.getSupportedMethods())); // RFC 9110 §15.5.6: a 405 names them
        }
        return body(response, "MethodNotAllowed",
                "Method " + e.getMethod() + " is not allowed on " + request.getRequestURI(), details, request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        // The header as sent: Spring leaves the exception's content type empty when it could not parse the header.
        String header = request.getContentType();
        String message = header == null || header.isBlank()
                ? "The request has no Content-Type; send its JSON body as application/json"
                : ContentTypes.refusal(header, "send application/json");
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType", message, Map.of(), request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ApiError> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        List<String> produced = e.getSupportedMediaTypes().isEmpty() ? List.of(MediaType.APPLICATION_JSON_VALUE)
                : e.getSupportedMediaTypes().stream().map(MediaType::toString).toList();
        return body(HttpStatus.NOT_ACCEPTABLE, "NotAcceptable", "The Accept header admits none of what this endpoint answers with: "
                + String.join(", ", produced) + "; nothing was done", Map.of("accept", String.valueOf(request.getHeader("Accept")),
                "produces", produced), request);
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<ApiError> noRoute(Exception e, HttpServletRequest request) {
        return body(HttpStatus.NOT_FOUND, "NotFound", "No endpoint " + request.getMethod() + " " + request.getRequestURI(),
                Map.of(), request);
    }

    /**
     * A status some library code chose ({@link org.springframework.web.server.ResponseStatusException} among
     * them): actuator's {@code InvalidEndpointBadRequestException} for {@code /actuator/metrics/x?tag=bogus}. Its
     * own status in the one error JSON, with its reason as the message; a 4xx is the caller's mistake and
     * logs no stack trace, a 5xx is ours and is handled like any unexpected failure.
     */
    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ApiError> statusChosen(ErrorResponseException e, HttpServletRequest request) {
        HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
        if (status == null || status.is5xxServerError() || !e.getStatusCode().isError()) {
            return unexpected(e, request);
        }
        log.debug("{} on {} {}: {}", status.value(), request.getMethod(), request.getRequestURI(), e.getMessage());
        String detail = e.getBody().getDetail();
        String message = detail == null || detail.isBlank() ? status.getReasonPhrase() + " (" + request.getRequestURI() + ")" : detail;
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        e.getHeaders().forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return body(response, ErrorEndpoint.errorName(status), message, Map.of(), request);
    }

    /** A deadlock or lock timeout between concurrent changes: nothing was written, and a retry succeeds. */
    @ExceptionHandler(ConcurrencyFailureException.class)
    ResponseEntity<ApiError> concurrentChange(ConcurrencyFailureException e, HttpServletRequest request) {
        log.info("Concurrent change on {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return api(ApiException.conflict("A concurrent change touched the same data; nothing was changed, retry the request",
                Map.of("retryable", true)).withHeader("Retry-After", "1"), request);
    }

    /**
     * The client went away mid-answer (a closed event stream, a browser that navigated on): there is no one
     * to answer, and nothing went wrong on our side.
     */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e, HttpServletRequest request) {
        log.debug("Client disconnected during {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> unexpected(Exception e, HttpServletRequest request) {
        Throwable unreachable = databaseUnreachable(e);
        if (unreachable != null) {
            return databaseDown(unreachable, request);
        }
        log.error("Unhandled error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError",
                "The server failed to handle the request; see the node log for request " + requestId(request), Map.of(), request);
    }

    /**
     * The node cannot reach its database (stopped, unreachable, out of connections): a 503, so that nginx
     * ({@code proxy_next_upstream http_503}) asks another node, and a WARN line without a stack trace — the
     * outage is the operator's news, not a bug, and a trace per request would bury the log. The wait before
     * it is bounded by the pool's connection timeout (spring.datasource.hikari.connection-timeout, ORDINAUT_DB_CONNECTION_TIMEOUT_MS).
     */
    private ResponseEntity<ApiError> databaseDown(Throwable cause, HttpServletRequest request) {
        ApiException down = databaseDown(request, cause);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(down.status());
        down.headers().forEach((name, value) -> response.header(name, value));
        return body(response, down.error(), down.getMessage(), down.details(), request);
    }

    /** The 503 for an unreachable database, logged as one WARN line; for filters that answer before Spring MVC too. */
    static ApiException databaseDown(HttpServletRequest request, Throwable cause) {
        RequestContext.markDatabaseUnreachable(request);
        log.warn("Database unreachable on {} {}: {}", request.getMethod(), request.getRequestURI(), innermostMessage(cause));
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                "The node's database is unreachable; nothing was done, retry the request (another node may serve it)",
                Map.of("retryable", true)).withHeader("Retry-After", "5");
    }

    /**
     * The failure that says the database is unreachable, or null. Looked for along the whole cause chain:
     * JdbcClient wraps the pool's SQLTransientConnectionException in CannotGetJdbcConnectionException, but a
     * {@code @Transactional} method fails earlier, in the transaction manager, with a
     * CannotCreateTransactionException around the same SQLTransientConnectionException; a connection that
     * breaks mid-statement (08xxx, 57P01 admin shutdown) is translated to DataAccessResourceFailureException.
     */
    static Throwable databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // A rollback that failed hides the failure that caused it (the statement the outage broke).
            if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && rollback.getApplicationException() != e) {
                Throwable original = databaseUnreachable(rollback.getApplicationException());
                if (original != null) {
                    return original;
                }
            }
            // CannotGetJdbcConnectionException is a DataAccessResourceFailureException; named for the reader
            if (t instanceof CannotGetJdbcConnectionException || t instanceof DataAccessResourceFailureException
                    || t instanceof SQLTransientConnectionException || lostConnection(t)) {
                return t;
            }
        }
        return null;
    }

    /**
     * A connection lost: SQLState class 08 (connection exceptions), 57P01–57P03 (PostgreSQL shutting down or not
     * accepting connections yet), or the pool's closed connection, which a transaction's rollback meets once the
     * outage broke it — HikariCP says "Connection is closed" with no SQLState, and Spring wraps it in a
     * TransactionSystemException rather than translating it.
     */
    private static boolean lostConnection(Throwable t) {
        if (!(t instanceof SQLException e)) {
            return false;
        }
        String state = e.getSQLState();
        return state == null ? HIKARI_CLOSED.equals(e.getMessage()) : state.startsWith("08") || state.startsWith("57P0");
    }

    private static final String HIKARI_CLOSED = "Connection is closed";

    /** The deepest message in the chain (the driver's "Connection refused" rather than Spring's wrapper's). */
    private static String innermostMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private ResponseEntity<ApiError> body(HttpStatus status, String error, String message, Map<String, Object> details,
                                          HttpServletRequest request) {
        return body(ResponseEntity.status(status), error, message, details, request);
    }

    /**
     * The error as JSON, whatever the request's Accept header says: with the content type set here, Spring
     * writes it as is instead of negotiating — and failing on an Accept of text/html or text/plain, which
     * used to turn a 404 into a 500 or an HTML page.
     */
    private ResponseEntity<ApiError> body(ResponseEntity.BodyBuilder response, String error, String message,
                                          Map<String, Object> details, HttpServletRequest request) {
        ApiError body = new ApiError(error, message, details, requestId(request), Instant.now(clock));
        return response.contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private static String requestId(HttpServletRequest request) {
        Object id = request.getAttribute(RequestIdFilter.ATTRIBUTE);
        return id == null ? null : id.toString();
    }
}
