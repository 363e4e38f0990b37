package io.ordinaut.web;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Every scope an agent can hold. */
public final class Scopes {

    public static final String TASKS_CREATE = "tasks:create";
    public static final String TASKS_READ = "tasks:read";
    public static final String TASKS_UPDATE = "tasks:update";
    public static final String TASKS_DELETE = "tasks:delete";
    public static final String RUNS_READ = "runs:read";
    public static final String RUNS_WRITE = "runs:write";
    public static final String EVENTS_PUBLISH = "events:publish";
    public static final String TOOLS_READ = "tools:read";
    public static final String TOOLS_WRITE = "tools:write";
    public static final String ADMIN = Caller.ADMIN;

    public static final List<String> ALL = List.of(TASKS_CREATE, TASKS_READ, TASKS_UPDATE, TASKS_DELETE, RUNS_READ,
            RUNS_WRITE, EVENTS_PUBLISH, TOOLS_READ, TOOLS_WRITE, ADMIN);

    /** The resources of the built-in scopes; a tool scope may not use one (tasks:write is a typo, not a tool's scope). */
    public static final Set<String> BUILT_IN_RESOURCES = Set.of("tasks", "runs", "events", "tools", ADMIN);
    /** A name this close to a built-in scope (task:create, tools:wirte) is taken for its typo. */
    static final int TYPO_DISTANCE = 2;

    private Scopes() {
    }

    /**
     * The built-in scope a name was probably meant to be, when it is not one itself but looks like one:
     * its resource (the part before the first {@code :}, {@code .} or {@code /}) is a built-in resource,
     * or the whole name is within {@value #TYPO_DISTANCE} edits of a built-in scope. Empty for a built-in
     * scope and for names that are plainly a tool's own (crm:read, crm.write).
     */
    public static Optional<String> typoOf(String scope) {
        if (ALL.contains(scope)) {
            return Optional.empty();
        }
        String lower = scope.toLowerCase(Locale.ROOT);
        String resource = lower.split("[:./]", 2)[0];
        List<String> candidates = ALL.stream().filter(s -> s.split(":", 2)[0].equals(resource)).toList();
        if (candidates.isEmpty()) {
            candidates = ALL.stream().filter(s -> distance(lower, s) <= TYPO_DISTANCE).toList();
        }
        return candidates.stream().min(Comparator.comparingInt((String s) -> distance(lower, s)));
    }

    /** Levenshtein distance; scope names are at most 100 characters. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
