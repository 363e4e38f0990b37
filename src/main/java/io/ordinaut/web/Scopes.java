package io.ordinaut.web;

import java.util.List;

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

    private Scopes() {
    }
}
