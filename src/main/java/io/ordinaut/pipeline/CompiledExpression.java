package io.ordinaut.pipeline;

import io.burt.jmespath.Expression;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * A {@code ${…}} expression or an {@code if} condition, compiled once when the pipeline is parsed so
 * that a run only evaluates (never parses) it.
 */
sealed interface CompiledExpression {

    Object evaluate(RunScope scope);

    /** The expression text as written, for error messages. */
    String source();

    /** A JMESPath expression over the run context. */
    record JmesPath(String source, Expression<Object> compiled) implements CompiledExpression {
        @Override
        public Object evaluate(RunScope scope) {
            return BoundedJmesPath.search(compiled, scope.root());
        }
    }

    /**
     * {@code now+1h} style arithmetic, which JMESPath cannot express; yields an ISO-8601 UTC instant
     * relative to the run's start.
     */
    record NowOffset(String source, Duration offset) implements CompiledExpression {
        @Override
        public Object evaluate(RunScope scope) {
            return scope.now().plus(offset).truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }
}
