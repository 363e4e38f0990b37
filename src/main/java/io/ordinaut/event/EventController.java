package io.ordinaut.event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.JsonFields;
import io.ordinaut.NotFoundException;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/** /events and /topics: publish events, read them back with the runs they triggered, list subscriptions. */
@RestController
@Tag(name = "events")
class EventController {

    private final EventPublisher publisher;
    private final EventStore store;
    private final EventProperties properties;
    private final JsonMapper json;

    EventController(EventPublisher publisher, EventStore store, EventProperties properties, JsonMapper json) {
        this.publisher = publisher;
        this.store = store;
        this.properties = properties;
        this.json = json;
    }

    @RequiresScope(Scopes.EVENTS_PUBLISH)
    @PostMapping(path = "/events")
    @Operation(operationId = "publishEvent", summary = "Publish an event and trigger the matching event tasks",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = EventPublishRequest.class))))
    ResponseEntity<Map<String, Object>> publish(@RequestBody Object body, Caller caller) {
        EventInput input;
        try {
            input = EventInput.from(JsonFields.of(body).allowOnly(EventInput.FIELDS), json, properties.maxPayloadBytes());
        } catch (EventInput.PayloadTooLargeException e) {
            throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "PayloadTooLarge", e.getMessage(),
                    Map.of("field", "payload", "max_bytes", e.maxBytes()));
        }
        EventPublisher.Published published = publisher.publish(input, caller.agentId(), caller.isAdmin());
        EventStore.StoredEvent e = published.event();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("event_id", e.id());
        details.put("topic", e.topic());
        details.put("triggered_tasks", e.triggeredTasks().stream().map(UUID::toString).toList());
        details.put("published_at", e.publishedAt().toString());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("message", published.created()
                ? "Event " + e.id() + " published; " + e.triggeredTasks().size() + " task(s) triggered"
                : "Event " + e.id() + " was already published; nothing new was triggered");
        answer.put("details", details);
        return ResponseEntity.status(published.created() ? HttpStatus.ACCEPTED : HttpStatus.OK).body(answer);
    }

    @RequiresScope(Scopes.EVENTS_PUBLISH)
    @GetMapping("/events")
    @Parameter(name = "topic", in = ParameterIn.QUERY, description = "Only events of this topic", schema = @Schema(type = "string"))
    @Parameter(name = "since", in = ParameterIn.QUERY, description = "Only events published at or after this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listEvents", summary = "List published events, newest first")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        String topic = q.string("topic");
        if (topic != null && !TopicPattern.isTopic(topic)) {
            throw ApiException.badRequest("topic", "topic must be a topic name (dot-separated segments, no wildcards)");
        }
        Instant since = q.instant("since");
        int limit = q.integer("limit", 1, 1000, 100);
        int offset = q.offset();
        UUID owner = caller.ownerFilter();
        List<Map<String, Object>> items = store.list(owner, topic, since, limit, offset).stream().map(this::view).toList();
        return PageBody.of(items, store.count(owner, topic, since), limit, offset);
    }

    /**
     * Event ids are per publisher: an agent reads its own event of this id. An admin reads its own, else
     * another publisher's (the earliest published, or the one {@code published_by} names).
     */
    @RequiresScope(Scopes.EVENTS_PUBLISH)
    @GetMapping("/events/{id}")
    @Parameter(name = "published_by", in = ParameterIn.QUERY, description = "Admins: the publisher whose event of this id to read", schema = @Schema(type = "string", format = "uuid"))
    @Operation(operationId = "getEvent", summary = "Read an event with the runs it triggered")
    Map<String, Object> get(@PathVariable String id, @RequestParam MultiValueMap<String, String> query, Caller caller)
            throws HttpMediaTypeNotAcceptableException {
        if (EventInput.STREAM.equals(id)) {
            // GET /events/stream whose Accept admits no text/event-stream lands here, the route that answers JSON.
            throw new HttpMediaTypeNotAcceptableException(List.of(MediaType.TEXT_EVENT_STREAM));
        }
        UUID publisher = QueryParams.of(query).uuid("published_by");
        Optional<EventStore.StoredEvent> found;
        if (caller.isAdmin()) {
            found = store.findAny(id, publisher, caller.agentId());
        } else {
            found = publisher == null || publisher.equals(caller.agentId()) ? store.find(caller.agentId(), id) : Optional.empty();
        }
        EventStore.StoredEvent e = found.orElseThrow(() -> new NotFoundException("Event", id));
        Map<String, Object> view = view(e);
        view.put("runs", store.runs(e));
        return view;
    }

    @RequiresScope(Scopes.TASKS_READ)
    @GetMapping("/topics")
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listTopics", summary = "List subscribed topics and patterns with their active tasks")
    Map<String, Object> topics(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        int limit = q.integer("limit", 1, 1000, 100);
        int offset = q.offset();
        // Paged here rather than in SQL: one row per distinct subscription, few enough to read whole, and the
        // total comes with them.
        List<EventStore.Topic> all = store.topics(caller.ownerFilter());
        List<Map<String, Object>> items = all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + limit, all.size()))
                .stream().map(EventController::view).toList();
        return PageBody.of(items, all.size(), limit, offset);
    }

    /** {@code topic}: the subscribed topic or pattern; {@code pattern}: whether it holds wildcards. */
    private static Map<String, Object> view(EventStore.Topic t) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("topic", t.expression());
        item.put("pattern", TopicPattern.isPattern(t.expression()));
        item.put("active_tasks", t.tasks().size());
        item.put("task_ids", t.tasks().stream().map(UUID::toString).toList());
        return item;
    }

    private Map<String, Object> view(EventStore.StoredEvent e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("event_id", e.id());
        view.put("topic", e.topic());
        view.put("payload", e.payload());
        view.put("published_by", e.publishedBy().toString());
        view.put("source_agent_id", e.sourceAgentId() == null ? null : e.sourceAgentId().toString());
        view.put("published_at", e.publishedAt().toString());
        view.put("triggered_tasks", e.triggeredTasks().stream().map(UUID::toString).toList());
        return view;
    }
}
