package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Compiles {@code with} values: finds every {@code ${…}}, compiles it, and hands it to a check
 * (forward references) before the pipeline is accepted. Templates apply to values only; object keys
 * are literal. {@code $${} produces a literal {@code ${}.
 */
final class TemplateCompiler {

    private final BiConsumer<String, CompiledExpression> check;

    /**
     * @param check called with (field path, expression) for every expression found; throws to reject
     */
    TemplateCompiler(BiConsumer<String, CompiledExpression> check) {
        this.check = check;
    }

    Template compile(Object value, String path) {
        if (value instanceof String s) {
            return compileString(s, path);
        }
        if (value instanceof Map<?, ?> map) {
            List<String> keys = new ArrayList<>(map.size());
            List<Template> values = new ArrayList<>(map.size());
            boolean constant = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new InvalidPipelineException(path, "object keys must be strings");
                }
                Template compiled = compile(entry.getValue(), FieldPath.key(path, key));
                keys.add(key);
                values.add(compiled);
                constant &= compiled.isConstant();
            }
            if (constant) {
                Map<String, Object> frozen = new LinkedHashMap<>(keys.size() * 2);
                for (int i = 0; i < keys.size(); i++) {
                    frozen.put(keys.get(i), ((Template.Constant) values.get(i)).value());
                }
                return new Template.Constant(Collections.unmodifiableMap(frozen));
            }
            return new Template.ObjectTemplate(List.copyOf(keys), List.copyOf(values));
        }
        if (value instanceof List<?> list) {
            List<Template> items = new ArrayList<>(list.size());
            boolean constant = true;
            for (int i = 0; i < list.size(); i++) {
                Template compiled = compile(list.get(i), FieldPath.index(path, i));
                items.add(compiled);
                constant &= compiled.isConstant();
            }
            if (constant) {
                List<Object> frozen = new ArrayList<>(items.size());
                items.forEach(item -> frozen.add(((Template.Constant) item).value()));
                return new Template.Constant(Collections.unmodifiableList(frozen));
            }
            return new Template.ArrayTemplate(List.copyOf(items));
        }
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return new Template.Constant(value);
        }
        throw new InvalidPipelineException(path, "unsupported value of type " + value.getClass().getName());
    }

    private Template compileString(String s, String path) {
        if (!s.contains("${")) {
            return new Template.Constant(s);
        }
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("$${", i)) {
                literal.append("${");
                i += 3;
            } else if (s.startsWith("${", i)) {
                int end = closingBrace(s, i + 2, path);
                CompiledExpression expression = compileExpression(s.substring(i + 2, end), path);
                if (!literal.isEmpty()) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                parts.add(expression);
                i = end + 1;
            } else {
                literal.append(s.charAt(i));
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(literal.toString());
        }
        if (parts.size() == 1 && parts.get(0) instanceof CompiledExpression only) {
            return new Template.Typed(path, only);
        }
        if (parts.stream().noneMatch(CompiledExpression.class::isInstance)) {
            return new Template.Constant(String.join("", parts.stream().map(String.class::cast).toList()));
        }
        return new Template.Interpolated(path, List.copyOf(parts));
    }

    CompiledExpression compileExpression(String text, String path) {
        CompiledExpression expression;
        try {
            expression = Jmes.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidPipelineException(path, e.getMessage());
        }
        check.accept(path, expression);
        return expression;
    }

    /**
     * Finds the brace closing a {@code ${}, skipping braces inside JMESPath literals: 'raw strings',
     * "quoted identifiers" and `json literals` (which may hold objects).
     */
    private static int closingBrace(String s, int from, String path) {
        int depth = 1;
        char quote = 0;
        for (int j = from; j < s.length(); j++) {
            char c = s.charAt(j);
            if (quote != 0) {
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return j;
            }
        }
        throw new InvalidPipelineException(path, "unterminated '${' in \"" + s + "\"");
    }
}
