package io.ordinaut.event;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribers of GET /events/stream on this node. One poll loop reads the sequenced outbox after
 * each subscriber's position (only its own agent's entries unless it is an admin) and hands the rows to
 * it; a subscriber that has had nothing for the keep-alive interval gets a keep-alive. Works from
 * PostgreSQL alone.
 */
final class LiveFeed implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);
    private static final int BATCH = 500;

    /** Where entries go (the SSE connection); false from either method ends the subscription. */
    interface Sink {
        boolean deliver(OutboxEntry entry);

        boolean keepAlive();

        /** The node is stopping: end the connection so graceful shutdown need not wait for it. */
        void close();
    }

    private static final class Subscription {
        final UUID owner;
        final Sink sink;
        long after;
        long lastSentMs;

        Subscription(UUID owner, long after, Sink sink, long now) {
            this.owner = owner;
            this.after = after;
            this.sink = sink;
            this.lastSentMs = now;
        }
    }

    private final OutboxReader outbox;
    private final Clock clock;
    private final long keepAliveMs;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    LiveFeed(OutboxReader outbox, Clock clock, long keepAliveMs) {
        this.outbox = outbox;
        this.clock = clock;
        this.keepAliveMs = keepAliveMs;
    }

    /**
     * @param owner only this agent's entries; null for all (admins)
     * @param after resume after this seq (Last-Event-ID); null to start with the next new entry
     * @return a handle that ends the subscription
     */
    Runnable subscribe(UUID owner, Long after, Sink sink) {
        Subscription s = new Subscription(owner, after != null ? after : outbox.lastSeq(), sink, clock.millis());
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    /** Ends every subscription (node shutdown); clients reconnect elsewhere with Last-Event-ID. */
    void closeAll() {
        for (Subscription s : subscriptions) {
            subscriptions.remove(s);
            try {
                s.sink.close();
            } catch (RuntimeException e) {
                log.debug("Closing a live feed subscriber failed: {}", e.toString());
            }
        }
    }

    int subscribers() {
        return subscriptions.size();
    }

    @Override
    public void run() {
        if (subscriptions.isEmpty()) {
            return;
        }
        // Read before the polls: every row up to here is committed and visible to them, so a subscriber
        // that saw none of its own up to here may skip past the others' rows next time.
        long sequenced = outbox.lastSeq();
        for (Subscription s : subscriptions) {
            try {
                if (!poll(s, sequenced)) {
                    subscriptions.remove(s);
                }
            } catch (RuntimeException e) {
                log.debug("Live feed subscriber dropped: {}", e.toString());
                subscriptions.remove(s);
            }
        }
    }

    private boolean poll(Subscription s, long sequenced) {
        // In steps of BATCH positions: each read is bounded, however far behind the subscriber is and however
        // few of the entries are its own.
        while (s.after < sequenced) {
            long upto = Math.min(sequenced, s.after + BATCH);
            for (OutboxEntry e : outbox.between(s.after, upto, s.owner)) {
                if (!s.sink.deliver(e)) {
                    return false;
                }
                s.lastSentMs = clock.millis();
            }
            s.after = upto;
        }
        if (clock.millis() - s.lastSentMs >= keepAliveMs) {
            s.lastSentMs = clock.millis();
            return s.sink.keepAlive();
        }
        return true;
    }
}
