package io.ordinaut.event;

import java.util.concurrent.atomic.AtomicReference;

/** Whether this node's last relay round reached Redis; /health reports it with the outbox backlog. */
final class RelayStatus {

    private final AtomicReference<String> lastError = new AtomicReference<>();

    /** @return true when this ends a run of failures */
    boolean succeeded() {
        return lastError.getAndSet(null) != null;
    }

    /**
     * Records what failed, in words ({@link RelayFailure#describe}: no Java class names in /health).
     *
     * @return true when this is the first failure after a success (worth a warning)
     */
    boolean failed(RuntimeException e) {
        return lastError.getAndSet(RelayFailure.describe(e)) == null;
    }

    String lastError() {
        return lastError.get();
    }
}
