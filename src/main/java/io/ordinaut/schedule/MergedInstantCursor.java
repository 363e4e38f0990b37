package io.ordinaut.schedule;

import java.time.Instant;
import java.util.List;

/** Union of ascending cursors, ascending, each instant once. */
final class MergedInstantCursor implements InstantCursor {

    private final InstantCursor[] sources;
    private final Instant[] heads;

    MergedInstantCursor(List<InstantCursor> sources) {
        this.sources = sources.toArray(new InstantCursor[0]);
        this.heads = new Instant[this.sources.length];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = this.sources[i].next();
        }
    }

    @Override
    public Instant next() {
        Instant min = null;
        for (Instant head : heads) {
            if (head != null && (min == null || head.isBefore(min))) {
                min = head;
            }
        }
        if (min != null) {
            for (int i = 0; i < heads.length; i++) {
                if (min.equals(heads[i])) {
                    heads[i] = sources[i].next();
                }
            }
        }
        return min;
    }
}
