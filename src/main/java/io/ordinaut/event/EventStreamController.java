package io.ordinaut.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.web.ApiException;
import io.ordinaut.web.Caller;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * GET /events/stream: the outbox as Server-Sent Events — events, run lifecycle and task changes the caller
 * may see (its own; all for admins). Each SSE {@code id} is the entry's seq: reconnecting with
 * {@code Last-Event-ID} (or {@code ?last_event_id=}) resumes right after it from the outbox. The token that
 * opened the stream is checked again while it is open (see {@link LiveFeed}): one that stops being valid
 * ends the stream with an {@code error} event.
 */
@RestController
@Tag(name = "events")
class EventStreamController {

    private static final String BEARER = "Bearer ";
    private static final String HEADER = "Last-Event-ID";
    private static final String QUERY = "last_event_id";
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private final EventDuties duties;
    private final OutboxReader outbox;
    private final JsonMapper json;
    private final StreamSlots slots;
    private final long retryAfterSeconds;
    private final Clock clock;

    EventStreamController(EventDuties duties, OutboxReader outbox, JsonMapper json, EventProperties properties, Clock clock) {
        this.duties = duties;
        this.outbox = outbox;
        this.clock = clock;
        this.json = json;
        this.slots = new StreamSlots(properties.sseMaxStreamsPerAgent());
        // A stream the client dropped is noticed at its next keep-alive, which gives its slot back.
        this.retryAfterSeconds = Math.max(1, properties.sseKeepAlive().toSeconds());
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping(path = "/events/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamEvents", summary = "Follow run and task lifecycle entries as Server-Sent Events")
    SseEmitter stream(@RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      // for the OpenAPI description: Spring joins repeated values with commas, so it is read from the request
                      @RequestParam(name = "last_event_id", required = false) String describedParam,
                      // the caller's token, which the bearer security scheme describes already
                      @Parameter(hidden = true) @RequestHeader(name = "Authorization") String authorization, Caller caller,
                      HttpServletRequest request) {
        // The parameter is judged even when the header wins, as every query parameter a handler reads is.
        String param = QueryParams.of(request).string(QUERY);
        // The header (what a reconnecting EventSource sends) wins; an error names wherever the bad value came from.
        boolean fromHeader = lastEventId != null && !lastEventId.isBlank();
        Long after = fromHeader ? position(HEADER, lastEventId) : param == null ? null : position(QUERY, param);
        Runnable release = slots.take(caller.agentId());
        if (release == null) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RateLimited", "This agent holds " + slots.max()
                    + " event streams open on this node already, the most it may; close one before opening another",
                    Map.of("max_streams", slots.max(), "retry_after_seconds", retryAfterSeconds))
                    .withHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        if (HttpMethod.HEAD.matches(request.getMethod())) {
            // What a GET would answer, at once and without a body; it holds no slot and follows nothing. Left to
            // run as a GET, it would answer only at the first keep-alive and hold a slot until then.
            release.run();
            SseEmitter answered = new SseEmitter(0L);
            answered.complete();
            return answered;
        }
        SseEmitter emitter = new SseEmitter(0L);
        Runnable unsubscribe;
        try {
            // Headers go out with the first bytes: without this comment a client would learn that the stream is open
            // only with the first entry or keep-alive. Sent before the feed can send anything, so it comes first.
            emitter.send(SseEmitter.event().comment("open"));
            // the interceptor accepted this header as "Bearer <token>"; the feed checks the token again while the stream is open
            LiveFeed.Grant grant = new LiveFeed.Grant(authorization.substring(BEARER.length()).trim(), Scopes.RUNS_READ);
            unsubscribe = duties.feed().subscribe(caller.ownerFilter(), grant, after, new LiveFeed.Sink() {
                @Override
                public boolean deliver(OutboxEntry entry) {
                    try {
                        emitter.send(SseEmitter.event().id(Long.toString(entry.seq())).name(entry.type())
                                .data(json.writeValueAsString(entry.fields())));
                        return true;
                    } catch (IOException | IllegalStateException e) {
                        // the feed drops this subscriber; the slot must not wait for a callback that may not come
                        release.run();
                        return false;
                    }
                }

                @Override
                public boolean keepAlive() {
                    try {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                        return true;
                    } catch (IOException | IllegalStateException e) {
                        release.run();
                        return false;
                    }
                }

                @Override
                public void close() {
                    release.run();
                    emitter.complete();
                }

                @Override
                public void accessEnded(String error, String message) {
                    release.run();
                    try {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("error", error);
                        body.put("message", message);
                        body.put("timestamp", Instant.now(clock).toString());
                        emitter.send(SseEmitter.event().name("error").data(json.writeValueAsString(body)));
                    } catch (IOException | IllegalStateException e) {
                        // the client is gone already: nothing to tell it
                    }
                    emitter.complete();
                }
            });
        } catch (IOException e) {
            release.run();
            throw new UncheckedIOException(e); // not before the emitter is handed to Spring: the comment waits for it
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        Runnable end = () -> {
            unsubscribe.run();
            release.run();
        };
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(e -> end.run());
        return emitter;
    }

    /** The seq to resume after: plain digits naming an entry that exists (one past the newest would swallow entries to come). */
    private Long position(String field, String value) {
        if (!DIGITS.matcher(value).matches()) {
            throw ApiException.badRequest(field, field + " must be the id of an earlier entry (a number: digits only)");
        }
        long newest = outbox.lastSeq();
        // BigInteger: a number past a long is past the newest too, not "not a number"
        if (new BigInteger(value).compareTo(BigInteger.valueOf(newest)) > 0) {
            throw ApiException.badRequest(field, field + " must be the id of an earlier entry; the newest is " + newest);
        }
        return Long.parseLong(value);
    }
}
