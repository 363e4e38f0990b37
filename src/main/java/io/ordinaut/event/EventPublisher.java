package io.ordinaut.event;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.InvalidInputException;
import io.ordinaut.queue.DueWorkQueue;

/**
 * Publishes an event: in one transaction it stores the event and queues one run for every active event
 * task whose topic pattern matches, whose {@code payload.event_filter} is truthy, and that the publisher
 * may trigger (its own tasks; an admin's event reaches everyone's). The outbox row of the event and the
 * run.queued rows are written by the database triggers of the same statements (db/changelog/013-events.sql).
 * A caller-given event_id the same publisher used before returns the first result and triggers nothing;
 * event ids are per publisher (db/changelog/030-event-id-per-publisher.sql), so another agent's use of the
 * same id neither blocks this one nor is revealed to it.
 */
@Service
class EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventStore store;
    private final DueWorkQueue queue;
    private final EventExpressions expressions;
    private final JsonMapper json;
    private final Clock clock;

    EventPublisher(EventStore store, DueWorkQueue queue, JsonMapper json, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.expressions = new EventExpressions(json);
        this.json = json;
        this.clock = clock;
    }

    /** The stored event, and whether this call stored it (false: this publisher published the event_id before). */
    record Published(EventStore.StoredEvent event, boolean created) {
    }

    /**
     * @param publisher the agent publishing (its tasks are the ones a non-admin may trigger)
     * @param admin     whether the publisher holds admin (its events reach every agent's tasks)
     * @throws InvalidInputException when a non-admin's source_agent_id is not itself, or an admin's names no agent
     */
    @Transactional
    Published publish(EventInput input, UUID publisher, boolean admin) {
        // First, before any look-up: what a refusal says must not depend on whether the named agent exists.
        if (!admin && input.sourceAgentId() != null && !input.sourceAgentId().equals(publisher)) {
            throw new InvalidInputException("source_agent_id", "source_agent_id may only be the publishing agent's own id ("
                    + publisher + "), or left out: only an admin may name another agent as an event's source");
        }
        if (input.eventId() != null) {
            var existing = store.find(publisher, input.eventId());
            if (existing.isPresent()) {
                return new Published(existing.get(), false);
            }
        }
        if (input.sourceAgentId() != null && store.agentScopes(input.sourceAgentId()).isEmpty()) {
            throw new InvalidInputException("source_agent_id", "Agent " + input.sourceAgentId() + " does not exist");
        }
        // Microseconds: what timestamptz keeps, so the instant read back equals the one published.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String id = input.eventId() != null ? input.eventId() : UUID.randomUUID().toString();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("topic", input.topic());
        event.put("payload", input.payload());
        event.put("published_at", now.toString());
        event.put("source_agent_id", input.sourceAgentId() == null ? null : input.sourceAgentId().toString());

        List<UUID> triggered = new ArrayList<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (EventStore.Subscriber s : store.subscribers(input.topic(), admin ? null : publisher, now)) {
            if (!TopicPattern.matches(s.pattern(), input.topic())) {
                continue;
            }
            String dedupeKey;
            try {
                if (!EventExpressions.passes(s.filter(), event)) {
                    continue;
                }
                dedupeKey = expressions.dedupeKey(s.dedupeKey(), event);
            } catch (RuntimeException e) {
                // checked when the task was saved; a failure now is the task's problem, not the publisher's
                log.warn("Event {}: task {} not triggered, its event_filter or dedupe_key failed: {}", id, s.taskId(), e.toString());
                continue;
            }
            triggered.add(s.taskId());
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("id", UUID.randomUUID().toString());
            run.put("task_id", s.taskId().toString());
            run.put("dedupe_key", dedupeKey);
            runs.add(run);
        }
        EventStore.StoredEvent stored = new EventStore.StoredEvent(id, input.topic(), input.payload(), publisher,
                input.sourceAgentId(), now, triggered);
        if (!store.insert(stored, input.payloadJson())) {
            // this publisher's other publish of the same event_id committed between our look-up and insert
            return new Published(store.find(publisher, id).orElseThrow(), false);
        }
        if (!runs.isEmpty()) {
            Map<String, Object> runEvent = new LinkedHashMap<>(event);
            runEvent.remove("source_agent_id");
            queue.enqueueEvent(json.writeValueAsString(runs), json.writeValueAsString(runEvent), now);
        }
        log.debug("Event {} on {} triggered {} tasks", id, input.topic(), triggered.size());
        return new Published(stored, true);
    }
}
