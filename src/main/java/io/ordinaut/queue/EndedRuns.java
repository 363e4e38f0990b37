package io.ordinaut.queue;

import java.util.ArrayList;
import java.util.List;

/**
 * How many runs a statement ended, by status and trigger, as the statement returns it in one text column:
 * {@code string_agg(status || ' ' || trigger || ' ' || n, ',')} over its history rows grouped by the two
 * (see {@link #SQL}); null when it ended none. One column rather than extra rows keeps the statement's own
 * result shape (claimed runs, counts) as it is.
 */
record EndedRuns(String status, String trigger, long count) {

    /** The column over a CTE {@code %s} whose rows have status and trigger. */
    static final String SQL = "(SELECT string_agg(status || ' ' || trigger || ' ' || n, ',') "
            + "FROM (SELECT status, trigger, count(*) AS n FROM %s GROUP BY 1, 2) g)";

    static List<EndedRuns> parse(String column) {
        List<EndedRuns> ended = new ArrayList<>();
        if (column == null) {
            return ended;
        }
        for (String group : column.split(",")) {
            String[] parts = group.split(" ");
            ended.add(new EndedRuns(parts[0], parts[1], Long.parseLong(parts[2])));
        }
        return ended;
    }
}
