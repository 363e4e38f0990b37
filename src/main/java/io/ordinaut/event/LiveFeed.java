package io.ordinaut.event;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.agent.AgentScopes;
import io.ordinaut.agent.TokenRecheck;

/**
 * The subscribers of GET /events/stream on this node. One poll loop reads the sequenced outbox after
 * each subscriber's position (only its own agent's entries unless it is an admin) and hands the rows to
 * it; a subscriber that has had nothing for the keep-alive interval gets a keep-alive. Works from
 * PostgreSQL alone.
 * <p>
 * The token that opened a stream is checked again (one query for all of the node's streams) before any
 * round that has new entries to hand out, and at least every {@value #ACCESS_CHECK_MS} ms when idle: a
 * stream whose token was revoked, expired or rotated away, or whose agent lost the scope (or, for a stream
 * that sees everything, admin), gets nothing committed after that and is ended.
 */
final class LiveFeed implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);
    private static final int BATCH = 500;
    /** Longest an idle stream goes on after its token stopped being valid. */
    static final long ACCESS_CHECK_MS = 2_000;

    /** Where entries go (the SSE connection); false from either method ends the subscription. */
    interface Sink {
        boolean deliver(OutboxEntry entry);

        boolean keepAlive();

        /** The node is stopping: end the connection so graceful shutdown need not wait for it. */
        void close();

        /**
         * The caller may no longer read the stream ({@code error}: "Unauthorized" or "Forbidden", and why): say
         * so and end the connection.
         */
        void accessEnded(String error, String message);
    }

    /** What opened a stream: the bearer token, and the scope the stream needs. */
    record Grant(String token, String scope) {
    }

    private static final class Subscription {
        final UUID owner;
        final Grant grant;
        final Sink sink;
        long after;
        long lastSentMs;
        /** Set once a check of the tokens included this subscription; nothing is delivered before. */
        volatile boolean checked;

        Subscription(UUID owner, Grant grant, long after, Sink sink, long now) {
            this.owner = owner;
            this.grant = grant;
            this.after = after;
            this.sink = sink;
            this.lastSentMs = now;
        }
    }

    private final OutboxReader outbox;
    private final TokenRecheck tokens;
    private final Clock clock;
    private final long keepAliveMs;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private long accessCheckedMs;

    LiveFeed(OutboxReader outbox, TokenRecheck tokens, Clock clock, long keepAliveMs) {
        this.outbox = outbox;
        this.tokens = tokens;
        this.clock = clock;
        this.keepAliveMs = keepAliveMs;
    }

    /**
     * @param owner only this agent's entries; null for all (admins)
     * @param grant what opened the stream, checked again while it stays open
     * @param after resume after this seq (Last-Event-ID); null to start with the next new entry
     * @return a handle that ends the subscription
     */
    Runnable subscribe(UUID owner, Grant grant, Long after, Sink sink) {
        Subscription s = new Subscription(owner, grant, after != null ? after : outbox.lastSeq(), sink, clock.millis());
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
        // Checked after reading the position: an entry committed after a revocation is at or below it only if
        // the revocation committed before this check, which then sees it.
        if (clock.millis() - accessCheckedMs >= ACCESS_CHECK_MS
                || subscriptions.stream().anyMatch(s -> s.after < sequenced || !s.checked)) {
            endLapsed();
        }
        for (Subscription s : subscriptions) {
            if (!s.checked) {
                // opened after this round's check: its token may have been revoked after the request was let in
                continue;
            }
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

    /** Ends the subscriptions whose callers may no longer read the stream. */
    private void endLapsed() {
        // one snapshot for the query and the verdicts: a stream opened meanwhile is judged next time, not as lapsed
        List<Subscription> current = List.copyOf(subscriptions);
        Set<String> open = new HashSet<>();
        current.forEach(s -> open.add(s.grant.token()));
        Map<String, Set<String>> live = tokens.scopesOf(open);
        accessCheckedMs = clock.millis();
        for (Subscription s : current) {
            Set<String> scopes = live.get(s.grant.token());
            String refusal = scopes == null ? null : refusal(s, scopes);
            if (scopes != null && refusal == null) {
                s.checked = true;
                continue;
            }
            subscriptions.remove(s);
            try {
                if (scopes == null) {
                    s.sink.accessEnded("Unauthorized", "The bearer token is unknown, expired or revoked");
                } else {
                    s.sink.accessEnded("Forbidden", refusal);
                }
            } catch (RuntimeException e) {
                log.debug("Ending a live feed subscriber failed: {}", e.toString());
            }
        }
    }

    /** Why an agent with these scopes may no longer read this subscription; null when it may. */
    private static String refusal(Subscription s, Set<String> scopes) {
        if (scopes.contains(AgentScopes.ADMIN)) {
            return null;
        }
        if (s.owner == null) {
            return "The agent no longer holds the scope admin this stream of every agent's entries requires";
        }
        if (!scopes.contains(s.grant.scope())) {
            return "Agent " + s.owner + " no longer holds the scope " + s.grant.scope() + " this stream requires";
        }
        return null;
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
