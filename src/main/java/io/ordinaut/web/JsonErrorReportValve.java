package io.ordinaut.web;

import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;

import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's last word on an error nothing else answered, as the one error JSON instead of Tomcat's HTML page.
 * It speaks for requests Tomcat refuses before any filter or servlet sees them — a URL that does not
 * decode ({@code %ff}, {@code %00}), one that climbs above the root ({@code /../x}) or holds a backslash, a bad header —
 * so none of the web layer ran: the request id is made here, from the caller's X-Request-Id when sane.
 */
final class JsonErrorReportValve extends ErrorReportValve {

    private final JsonMapper json;
    private final Clock clock;

    JsonErrorReportValve(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int code = response.getStatus();
        // As Tomcat's own valves: not for a success, not over an answer already written, once per error.
        if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return; // the connection is gone: no one would read the answer
        }
        HttpStatus status = HttpStatus.resolve(code);
        String error = status == null ? "Error" : ErrorEndpoint.errorName(status);
        String message = code == 400
                ? "The request is malformed (its URL or headers break HTTP's rules); nothing was done"
                : status == null ? "HTTP status " + code : status.getReasonPhrase();
        String requestId = RequestIdFilter.idFor(request.getHeader(RequestIdFilter.HEADER));
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader(RequestIdFilter.HEADER, requestId);
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json.writeValueAsString(new ApiError(error, message, Map.of(), requestId, Instant.now(clock))));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away or the answer was committed meanwhile; nothing more to tell
        }
    }
}
