package io.ordinaut.pipeline;

/** A template or condition that could not be evaluated during a run; fails the step, never retried. */
final class EvaluationException extends RuntimeException {

    private final String field;

    EvaluationException(String field, String message, Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    String field() {
        return field;
    }
}
