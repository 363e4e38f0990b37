package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step's {@code with} value compiled once: constant parts are kept as immutable values and shared
 * by every run; only the parts holding {@code ${…}} are evaluated.
 */
sealed interface Template {

    Object render(RunScope scope);

    boolean isConstant();

    /** A value without templates, rendered as itself (immutable, so runs can share it). */
    record Constant(Object value) implements Template {
        @Override
        public Object render(RunScope scope) {
            return value;
        }

        @Override
        public boolean isConstant() {
            return true;
        }
    }

    /** A string that is exactly one {@code ${…}}: keeps the JSON type of the result. */
    record Typed(String field, CompiledExpression expression) implements Template {
        @Override
        public Object render(RunScope scope) {
            return Evaluation.evaluate(field, expression, scope);
        }

        @Override
        public boolean isConstant() {
            return false;
        }
    }

    /**
     * A string mixing text and {@code ${…}}: each part is interpolated as text. Parts are either a
     * literal {@link String} or a {@link CompiledExpression}.
     */
    record Interpolated(String field, List<Object> parts) implements Template {
        @Override
        public Object render(RunScope scope) {
            StringBuilder text = new StringBuilder(64);
            for (Object part : parts) {
                if (part instanceof CompiledExpression expression) {
                    Object value = Evaluation.evaluate(field, expression, scope);
                    try {
                        JsonValues.appendAsText(text, value);
                    } catch (BoundedWalk.LimitExceeded e) {
                        throw new EvaluationException(field, "cannot interpolate '" + expression.source() + "': " + e.getMessage(), e);
                    }
                } else {
                    text.append((String) part);
                }
                if (text.length() > BoundedJmesPath.MAX_STRING_CHARS) {
                    throw new EvaluationException(field, "the interpolated string is longer than "
                            + BoundedJmesPath.MAX_STRING_CHARS + " characters", null);
                }
            }
            return text.toString();
        }

        @Override
        public boolean isConstant() {
            return false;
        }
    }

    /** A JSON object with at least one templated value; keys are literal. */
    record ObjectTemplate(List<String> keys, List<Template> values) implements Template {
        @Override
        public Object render(RunScope scope) {
            Map<String, Object> rendered = new LinkedHashMap<>(keys.size() * 2);
            for (int i = 0; i < keys.size(); i++) {
                rendered.put(keys.get(i), values.get(i).render(scope));
            }
            return rendered;
        }

        @Override
        public boolean isConstant() {
            return false;
        }
    }

    /** A JSON array with at least one templated item. */
    record ArrayTemplate(List<Template> items) implements Template {
        @Override
        public Object render(RunScope scope) {
            List<Object> rendered = new ArrayList<>(items.size());
            for (Template item : items) {
                rendered.add(item.render(scope));
            }
            return rendered;
        }

        @Override
        public boolean isConstant() {
            return false;
        }
    }
}
