package io.ordinaut.event;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The GET /events/stream connections each agent holds open on this node, at most
 * {@code ordinaut.events.sse-max-streams-per-agent}: every stream holds a thread's worth of buffers and a
 * subscription polled each round, so one agent opening hundreds would take them from every other agent.
 */
final class StreamSlots {

    private final ConcurrentHashMap<UUID, Integer> open = new ConcurrentHashMap<>();
    private final int max;

    StreamSlots(int max) {
        this.max = max;
    }

    /**
     * @return what gives the slot back once the stream has ended (running it again does nothing), or null when
     *         the agent holds {@code max} streams already
     */
    Runnable take(UUID agent) {
        boolean[] taken = {false};
        open.compute(agent, (id, n) -> {
            int count = n == null ? 0 : n;
            if (count >= max) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        if (!taken[0]) {
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(agent, (id, n) -> n <= 1 ? null : n - 1);
            }
        };
    }

    int max() {
        return max;
    }
}
