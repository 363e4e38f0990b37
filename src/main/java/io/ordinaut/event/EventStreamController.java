package io.ordinaut.event;

import java.io.IOException;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
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
 * {@code Last-Event-ID} (or {@code ?last_event_id=}) resumes right after it from the outbox.
 */
@RestController
@Tag(name = "events")
class EventStreamController {

    private final EventDuties duties;
    private final JsonMapper json;

    EventStreamController(EventDuties duties, JsonMapper json) {
        this.duties = duties;
        this.json = json;
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping(path = "/events/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamEvents", summary = "Follow run and task lifecycle entries as Server-Sent Events")
    SseEmitter stream(@RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      @RequestParam(name = "last_event_id", required = false) String lastEventParam, Caller caller) {
        // The header (what a reconnecting EventSource sends) wins; an error names wherever the bad value came from.
        boolean fromHeader = lastEventId != null && !lastEventId.isBlank();
        Long after = fromHeader ? position("Last-Event-ID", lastEventId) : position("last_event_id", lastEventParam);
        SseEmitter emitter = new SseEmitter(0L);
        Runnable unsubscribe = duties.feed().subscribe(caller.ownerFilter(), after, new LiveFeed.Sink() {
            @Override
            public boolean deliver(OutboxEntry entry) {
                try {
                    emitter.send(SseEmitter.event().id(Long.toString(entry.seq())).name(entry.type())
                            .data(json.writeValueAsString(entry.fields(json))));
                    return true;
                } catch (IOException | IllegalStateException e) {
                    return false;
                }
            }

            @Override
            public boolean keepAlive() {
                try {
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                    return true;
                } catch (IOException | IllegalStateException e) {
                    return false;
                }
            }

            @Override
            public void close() {
                emitter.complete();
            }
        });
        emitter.onCompletion(unsubscribe);
        emitter.onTimeout(unsubscribe);
        emitter.onError(e -> unsubscribe.run());
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
