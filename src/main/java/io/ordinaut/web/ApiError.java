package io.ordinaut.web;

import java.time.Instant;
import java.util.Map;

/** The documented error body; every 4xx and 5xx answer has this shape. */
record ApiError(String error, String message, Map<String, Object> details, String requestId, Instant timestamp) {
}
