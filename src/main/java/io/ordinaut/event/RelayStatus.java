package io.ordinaut.event;

import java.util.concurrent.atomic.AtomicReference;

/** Whether this node's last relay round reached Redis; /health reports it with the outbox backlog. */
final class RelayStatus {

    private final AtomicReference<String> lastError = new AtomicReference<>();

    /** @return true when this ends a run of failures */
    boolean succeeded() {
        return lastError.getAndSet(null) != null;
    }

    /** @return true when this is the first failure after a success (worth a warning) */
    boolean failed(RuntimeException e) {
        return lastError.getAndSet(e.getClass().getSimpleName() + ": " + e.getMessage()) == null;
    }

    String lastError() {
        return lastError.get();
    }
}
