package io.ordinaut.pipeline;

import io.burt.jmespath.Expression;
import io.burt.jmespath.RuntimeConfiguration;
import io.burt.jmespath.function.Function;
import io.burt.jmespath.function.FunctionRegistry;
import io.burt.jmespath.jcf.JcfRuntime;
import io.burt.jmespath.node.CreateObjectNode;
import io.burt.jmespath.node.Node;
import io.burt.jmespath.node.NodeFactory;
import io.burt.jmespath.node.Operator;
import io.burt.jmespath.node.StandardNodeFactory;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the names an expression reads as {@code steps.<name>} from the root of the run context, so
 * that a reference to a step that has not run yet is rejected when the task is created.
 *
 * <p>The JMESPath library exposes no syntax tree, so the expression is compiled once more through a
 * node factory that records each node's shape. Only root-level paths count: inside a projection, a
 * filter or an {@code &expression}, {@code steps.x} names a field of the current element instead.
 */
final class StepReferences {

    private static final String STEPS = "steps";
    private static final Method ENTRY_VALUE = entryValueAccessor();

    private StepReferences() {
    }

    /** Names read as {@code steps.<name>}; the text must already be known to compile. */
    static Set<String> in(String expression) {
        RecordingRuntime runtime = new RecordingRuntime();
        Expression<Object> root = runtime.compile(expression);
        Set<String> names = new LinkedHashSet<>();
        walk(runtime.shapes, root, true, names);
        return names;
    }

    private enum Kind { PROPERTY, SEQUENCE, CONTEXT_CHANGING, SAME_CONTEXT, LEAF }

    private record Shape(Kind kind, String name, List<Object> children) {
    }

    private static void walk(Map<Object, Shape> shapes, Object node, boolean atRoot, Set<String> names) {
        Shape shape = shapes.get(node);
        if (shape == null) {
            return;
        }
        switch (shape.kind()) {
            case SEQUENCE -> {
                if (atRoot) {
                    List<String> head = head(shapes, node);
                    if (head.size() >= 2 && head.get(0).equals(STEPS)) {
                        names.add(head.get(1));
                    }
                }
                // the first element sees the sequence's input, the rest see the previous result
                for (int i = 0; i < shape.children().size(); i++) {
                    walk(shapes, shape.children().get(i), atRoot && i == 0, names);
                }
            }
            case CONTEXT_CHANGING -> shape.children().forEach(child -> walk(shapes, child, false, names));
            case SAME_CONTEXT -> shape.children().forEach(child -> walk(shapes, child, atRoot, names));
            default -> {
            }
        }
    }

    /** The leading property names of a path such as {@code steps.a.b[0]} → [steps, a, b]. */
    private static List<String> head(Map<Object, Shape> shapes, Object node) {
        List<String> names = new ArrayList<>();
        Object current = node;
        while (current != null && names.size() < 2) {
            Shape shape = shapes.get(current);
            if (shape == null) {
                break;
            }
            if (shape.kind() == Kind.PROPERTY) {
                names.add(shape.name());
                break;
            }
            if (shape.kind() != Kind.SEQUENCE || shape.children().isEmpty()) {
                break;
            }
            Object first = shape.children().get(0);
            Shape firstShape = shapes.get(first);
            if (firstShape != null && firstShape.kind() == Kind.PROPERTY && shape.children().size() > 1) {
                names.add(firstShape.name());
                current = shape.children().get(1);
            } else {
                current = first;
            }
        }
        return names;
    }

    private static Method entryValueAccessor() {
        try {
            Method value = CreateObjectNode.Entry.class.getDeclaredMethod("value");
            value.setAccessible(true);
            return value;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A runtime whose parser builds standard nodes but remembers what each one is made of. */
    private static final class RecordingRuntime extends JcfRuntime {
        final Map<Object, Shape> shapes = new IdentityHashMap<>();
        private final NodeFactory<Object> factory;

        RecordingRuntime() {
            super(RuntimeConfiguration.builder().withFunctionRegistry(FunctionRegistry.defaultRegistry()).build());
            this.factory = new RecordingFactory(new StandardNodeFactory<>(this), shapes);
        }

        @Override
        public NodeFactory<Object> nodeFactory() {
            return factory;
        }

        /** Literals as runs read them: the library's own reading refuses a whole number past a long. */
        @Override
        public Object parseString(String literal) {
            return BoundedJmesPath.RUNTIME.parseString(literal);
        }
    }

    private static final class RecordingFactory implements NodeFactory<Object> {
        private final NodeFactory<Object> delegate;
        private final Map<Object, Shape> shapes;

        RecordingFactory(NodeFactory<Object> delegate, Map<Object, Shape> shapes) {
            this.delegate = delegate;
            this.shapes = shapes;
        }

        private Node<Object> record(Node<Object> node, Kind kind, String name, List<?> children) {
            shapes.put(node, new Shape(kind, name, List.copyOf(children)));
            return node;
        }

        private Node<Object> leaf(Node<Object> node) {
            return record(node, Kind.LEAF, null, List.of());
        }

        @Override
        public Node<Object> createCurrent() {
            return leaf(delegate.createCurrent());
        }

        @Override
        public Node<Object> createProperty(String name) {
            return record(delegate.createProperty(name), Kind.PROPERTY, name, List.of());
        }

        @Override
        public Node<Object> createIndex(int index) {
            return leaf(delegate.createIndex(index));
        }

        @Override
        public Node<Object> createSlice(Integer start, Integer stop, Integer step) {
            return leaf(delegate.createSlice(start, stop, step));
        }

        @Override
        public Node<Object> createProjection(Expression<Object> expression) {
            return record(delegate.createProjection(expression), Kind.CONTEXT_CHANGING, null, List.of(expression));
        }

        @Override
        public Node<Object> createFlattenArray() {
            return leaf(delegate.createFlattenArray());
        }

        @Override
        public Node<Object> createFlattenObject() {
            return leaf(delegate.createFlattenObject());
        }

        @Override
        public Node<Object> createSelection(Expression<Object> test) {
            return record(delegate.createSelection(test), Kind.CONTEXT_CHANGING, null, List.of(test));
        }

        @Override
        public Node<Object> createComparison(Operator operator, Expression<Object> left, Expression<Object> right) {
            return record(delegate.createComparison(operator, left, right), Kind.SAME_CONTEXT, null, List.of(left, right));
        }

        @Override
        public Node<Object> createOr(Expression<Object> left, Expression<Object> right) {
            return record(delegate.createOr(left, right), Kind.SAME_CONTEXT, null, List.of(left, right));
        }

        @Override
        public Node<Object> createAnd(Expression<Object> left, Expression<Object> right) {
            return record(delegate.createAnd(left, right), Kind.SAME_CONTEXT, null, List.of(left, right));
        }

        @Override
        public Node<Object> createFunctionCall(String name, List<? extends Expression<Object>> args) {
            return record(delegate.createFunctionCall(name, args), Kind.SAME_CONTEXT, null, args);
        }

        @Override
        public Node<Object> createFunctionCall(Function function, List<? extends Expression<Object>> args) {
            return record(delegate.createFunctionCall(function, args), Kind.SAME_CONTEXT, null, args);
        }

        @Override
        public Node<Object> createExpressionReference(Expression<Object> expression) {
            return record(delegate.createExpressionReference(expression), Kind.CONTEXT_CHANGING, null, List.of(expression));
        }

        @Override
        public Node<Object> createString(String str) {
            return leaf(delegate.createString(str));
        }

        @Override
        public Node<Object> createNegate(Expression<Object> negated) {
            return record(delegate.createNegate(negated), Kind.SAME_CONTEXT, null, List.of(negated));
        }

        @Override
        public Node<Object> createCreateObject(List<CreateObjectNode.Entry<Object>> entries) {
            List<Object> values = new ArrayList<>();
            for (CreateObjectNode.Entry<Object> entry : entries) {
                Object value = entryValue(entry);
                if (value != null) {
                    values.add(value);
                }
            }
            return record(delegate.createCreateObject(entries), Kind.SAME_CONTEXT, null, values);
        }

        @Override
        public Node<Object> createCreateArray(List<? extends Expression<Object>> items) {
            return record(delegate.createCreateArray(items), Kind.SAME_CONTEXT, null, items);
        }

        @Override
        public Node<Object> createJsonLiteral(String json) {
            return leaf(delegate.createJsonLiteral(json));
        }

        @Override
        public Node<Object> createSequence(List<Node<Object>> nodes) {
            return record(delegate.createSequence(nodes), Kind.SEQUENCE, null, nodes);
        }

        /** Entry.value() is protected; without it a multi-select hash's values go unchecked (accepted). */
        private static Object entryValue(CreateObjectNode.Entry<Object> entry) {
            if (ENTRY_VALUE == null) {
                return null;
            }
            try {
                return ENTRY_VALUE.invoke(entry);
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }
    }
}
