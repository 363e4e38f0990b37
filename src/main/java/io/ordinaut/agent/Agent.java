package io.ordinaut.agent;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An agent: who owns tasks and holds scopes. */
record Agent(UUID id, String name, List<String> scopes, String webhookUrl, Integer apiCallsPerHour, Integer runsPerDay,
             Instant createdAt, Instant updatedAt) {

    static final UUID SYSTEM = UUID.fromString("00000000-0000-0000-0000-000000000001");
}
