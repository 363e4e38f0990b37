package io.ordinaut.event;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
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
                      @RequestParam(name = "last_event_id", required = false) String lastEventParam,
                      // the caller's token, which the bearer security scheme describes already
                      @Parameter(hidden = true) @RequestHeader(name = "Authorization") String authorization, Caller caller) {
        // The header (what a reconnecting EventSource sends) wins; an error names wherever the bad value came from.
        boolean fromHeader = lastEventId != null && !lastEventId.isBlank();
        String field = fromHeader ? "Last-Event-ID" : "last_event_id";
        Long after = position(field, fromHeader ? lastEventId : lastEventParam);
        if (after != null) {
            // A position past the newest would silently swallow every entry until the numbering passed it.
            long newest = outbox.lastSeq();
            if (after > newest) {
                throw ApiException.badRequest(field, field + " must be the id of an earlier entry; the newest is " + newest);
            }
        }
        Runnable release = slots.take(caller.agentId());
        if (release == null) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RateLimited", "This agent holds " + slots.max()
                    + " event streams open on this node already, the most it may; close one before opening another",
                    Map.of("max_streams", slots.max(), "retry_after_seconds", retryAfterSeconds))
                    .withHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        SseEmitter emitter = new SseEmitter(0L);
        Runnable unsubscribe;
        try {
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

    private static Long position(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seq = Long.parseLong(value.strip());
            if (seq < 0) {
                throw new NumberFormatException();
            }
            return seq;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, field + " must be the id of an earlier entry (a number)");
        }
    }
}
