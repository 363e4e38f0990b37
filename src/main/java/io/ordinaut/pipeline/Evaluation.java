package io.ordinaut.pipeline;

/** Evaluates a compiled expression, turning an unexpected library failure into a step failure naming the field. */
final class Evaluation {

    private Evaluation() {
    }

    static Object evaluate(String field, CompiledExpression expression, RunScope scope) {
        try {
            return expression.evaluate(scope);
        } catch (RuntimeException e) {
            throw new EvaluationException(field, "cannot evaluate '" + expression.source() + "': " + e.getMessage(), e);
        }
    }

    static boolean isTruthy(Object value) {
        return Jmes.RUNTIME.isTruthy(value);
    }
}
