package io.ordinaut.queue;

import java.time.Instant;

/** Executes one claimed run and says how it ended. */
interface RunHandler {
    FinishedRun execute(ClaimedRun run, Instant startedAt);
}
