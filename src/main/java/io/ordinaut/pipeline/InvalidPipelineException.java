package io.ordinaut.pipeline;

/**
 * A task payload that cannot become a pipeline. Raised when the task is created so that an accepted
 * task never fails later for a reason already visible then.
 */
public class InvalidPipelineException extends RuntimeException {

    private final String field;
    private final String reason;

    public InvalidPipelineException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** Where the problem is, e.g. {@code payload.pipeline[2].with.city}. */
    public String field() {
        return field;
    }

    /** What is wrong, without the field. */
    public String reason() {
        return reason;
    }
}
