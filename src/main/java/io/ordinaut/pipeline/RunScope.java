package io.ordinaut.pipeline;

import java.time.Instant;
import java.util.Map;

/**
 * What expressions see during one run: the JSON-shaped root context ({@code params}, {@code steps},
 * {@code now}, …) and the run's start instant for time arithmetic.
 */
record RunScope(Map<String, Object> root, Instant now) {
}
