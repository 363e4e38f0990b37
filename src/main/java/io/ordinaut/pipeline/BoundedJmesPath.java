package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.burt.jmespath.Adapter;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPathType;
import io.burt.jmespath.RuntimeConfiguration;
import io.burt.jmespath.function.ArgumentConstraints;
import io.burt.jmespath.function.BaseFunction;
import io.burt.jmespath.function.FunctionArgument;
import io.burt.jmespath.function.FunctionRegistry;
import io.burt.jmespath.jcf.JcfRuntime;
import io.burt.jmespath.node.Node;
import io.burt.jmespath.node.NodeFactory;
import io.burt.jmespath.node.StandardNodeFactory;
import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.StoredJson;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JMESPath runtime every expression an agent writes runs on — {@code ${…}} templates, {@code if}
 * conditions, event filters and dedupe keys — with bounds on what an evaluation may build.
 *
 * <p>JMESPath can grow values fast: each {@code join('', [@, @])} doubles a string, {@code [@, @]}
 * builds a value that is small in memory (both items are the same object) but doubles when written out
 * ({@code to_string}, a stored output), and {@code [][]} materialises such a value. An expression of a
 * few hundred characters would run a node out of memory. So any string an expression builds is at most
 * {@value #MAX_STRING_CHARS} characters, any array {@value #MAX_ARRAY_ITEMS} items, and one evaluation
 * builds and compares at most {@value #MAX_EVALUATION_WORK} characters and items in all; past a bound the
 * evaluation fails (a step fails, not retried; an event filter does not match). {@code join},
 * {@code to_string} and flattening stop as soon as they pass the bound, before building the value.
 */
public final class BoundedJmesPath {

    /** Longest string any expression builds (join, to_string, …). */
    public static final int MAX_STRING_CHARS = 1 << 20;
    /** Most items of any array an expression builds (projections, flattening, functions). */
    public static final int MAX_ARRAY_ITEMS = 1 << 20;
    /** Characters and items one evaluation may build, plus the values it may compare, in all. */
    public static final long MAX_EVALUATION_WORK = 1L << 22;

    /** Function type errors yield null rather than failing, as a missing path does. */
    public static final JcfRuntime RUNTIME = new Runtime(RuntimeConfiguration.builder()
            .withFunctionRegistry(FunctionRegistry.defaultRegistry().extend(new Join(), new Contains(), new Length()))
            .withSilentTypeErrors(true)
            .build());

    /** Integers a double holds exactly: 2^53. */
    private static final double EXACT_INTEGERS = 9_007_199_254_740_992d;

    /** Parses JSON literals as request bodies are parsed: bounded, and a key given twice is an error. */
    private static final JsonMapper LITERALS = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(BoundedWalk.MAX_NESTING)
                    .maxNumberLength(StoredJson.MAX_NUMBER_WIDTH)
                    .build())
            .build()).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Work done by the evaluation running on this thread; null outside {@link #search}. */
    private static final ThreadLocal<long[]> WORK = new ThreadLocal<>();

    /** The measure applied before {@code to_string} writes a value out. */
    private static final BoundedWalk TEXT = new BoundedWalk(BoundedWalk.MAX_NESTING, "ordinaut's bound on JSON nesting",
            MAX_STRING_CHARS, "the bound on any string an expression builds");

    private BoundedJmesPath() {
    }

    /**
     * Evaluates within the bounds.
     *
     * @throws RuntimeException saying which bound was passed
     */
    public static Object search(Expression<Object> expression, Object root) {
        if (WORK.get() != null) {
            return expression.search(root);
        }
        WORK.set(new long[1]);
        try {
            return expression.search(root);
        } finally {
            WORK.remove();
        }
    }

    /**
     * The value, when it can be written as JSON of at most {@value #MAX_STRING_CHARS} characters.
     *
     * @throws RuntimeException when it cannot
     */
    public static Object writable(Object value) {
        TEXT.measure(value);
        return value;
    }

    private static void work(long units) {
        long[] work = WORK.get();
        if (work != null && (work[0] += units) > MAX_EVALUATION_WORK) {
            throw new BoundedWalk.LimitExceeded("the expression builds or compares more than " + MAX_EVALUATION_WORK
                    + " characters and items in one evaluation");
        }
    }

    private static void items(int count) {
        if (count > MAX_ARRAY_ITEMS) {
            throw new BoundedWalk.LimitExceeded("the expression builds an array of more than " + MAX_ARRAY_ITEMS + " items");
        }
        work(count);
    }

    private static String string(String text) {
        if (text.length() > MAX_STRING_CHARS) {
            throw new BoundedWalk.LimitExceeded("the expression builds a string of more than " + MAX_STRING_CHARS + " characters");
        }
        work(text.length());
        return text;
    }

    /** Charges every value the library builds, and writes values out only once they are known to be small. */
    private static final class Runtime extends JcfRuntime {

        private final NodeFactory<Object> nodes;

        Runtime(RuntimeConfiguration configuration) {
            super(configuration);
            this.nodes = new Nodes(this);
        }

        @Override
        public NodeFactory<Object> nodeFactory() {
            return nodes;
        }

        @Override
        public Object createString(String text) {
            return super.createString(string(text));
        }

        @Override
        public Object createArray(Collection<Object> items) {
            items(items.size());
            return super.createArray(items);
        }

        @Override
        public Object createObject(Map<Object, Object> entries) {
            work(entries.size());
            return super.createObject(entries);
        }

        @Override
        public String toString(Object value) {
            if (value instanceof String text) {
                return text;
            }
            // [@, @] nested twenty times is small in memory and a million times larger written out
            writable(value);
            return string(super.toString(value));
        }

        /**
         * Integral results stay integers: sum, abs, ceil and floor compute in doubles, and {@code 2.0} sent to
         * a tool's integer field is refused by strict parsers. Beyond 2^53 a double is no longer exact, so it
         * stays a double.
         */
        @Override
        public Object createNumber(double value) {
            if (value == Math.rint(value) && Math.abs(value) <= EXACT_INTEGERS) {
                return (long) value;
            }
            return super.createNumber(value);
        }

        /**
         * A JSON literal ({@code `…`}), parsed when the expression is compiled — at task creation — with the
         * checks a request body gets: the library would take a duplicate key (last wins), turn an unpaired
         * surrogate into '?', {@code 1e999999} into Infinity (sent as the string "Infinity"), and keep a NUL
         * character or a number like {@code 1e200}, which no run's result could then be stored with.
         */
        @Override
        public Object parseString(String literal) {
            Object value;
            try {
                value = super.parseString(literal);
            } catch (NumberFormatException e) {
                // the library reads a whole number as a long; past it the request-body reading (a BigInteger) stands
                value = null;
            }
            Object strict;
            try {
                strict = LITERALS.readValue(literal, Object.class);
            } catch (StreamReadException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("Duplicate")) {
                    throw new IllegalArgumentException("the JSON literal `" + literal + "` " + e.getOriginalMessage());
                }
                // anything else the library accepted keeps its reading
                return orRefused(value, literal);
            } catch (JacksonException e) {
                return orRefused(value, literal);
            }
            try {
                JsonFields.requireStorable(strict, "the JSON literal `" + literal + "`");
            } catch (InvalidInputException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            return value != null || strict == null ? value : longs(strict);
        }

        /** Whole numbers as the library reads them, Long, where the strict reading has Integer. */
        @SuppressWarnings("unchecked")
        private static Object longs(Object value) {
            if (value instanceof Integer whole) {
                return whole.longValue();
            }
            if (value instanceof Map<?, ?> map) {
                ((Map<Object, Object>) map).replaceAll((key, item) -> longs(item));
            } else if (value instanceof List<?> list) {
                ((List<Object>) list).replaceAll(BoundedJmesPath.Runtime::longs);
            }
            return value;
        }

        private static Object orRefused(Object value, String literal) {
            if (value == null && !"null".equals(literal.strip())) {
                throw new IllegalArgumentException("the JSON literal `" + literal + "` is not valid JSON");
            }
            return value;
        }

        /**
         * Numbers compare by value, and two whole numbers exactly: the library compares doubles, to which
         * 12345678901234567890 and 12345678901234567891 are the same number.
         */
        @Override
        public int compare(Object a, Object b) {
            // comparing two such values item by item takes as long as writing them out
            work(1);
            if (JsonValues.isWholeType(a) && JsonValues.isWholeType(b)) {
                return JsonValues.bigInteger((Number) a).compareTo(JsonValues.bigInteger((Number) b));
            }
            return super.compare(a, b);
        }
    }

    /**
     * The library's nodes, but flattening stops at the array bound instead of building the whole array
     * first, and slices follow the specification.
     */
    private static final class Nodes extends StandardNodeFactory<Object> {
        private final Adapter<Object> runtime;

        Nodes(Adapter<Object> runtime) {
            super(runtime);
            this.runtime = runtime;
        }

        @Override
        public Node<Object> createFlattenArray() {
            return new Flatten(runtime);
        }

        @Override
        public Node<Object> createSlice(Integer start, Integer stop, Integer step) {
            return new Slice(runtime, start, stop, step);
        }
    }

    /**
     * {@code [start:stop:step]} as the JMESPath specification's pseudo-code has it. The library's slice
     * failed on an empty array or a string with a negative step ({@code [::-1]}: index 0 out of bounds),
     * sliced an object's values and gave {@code []} for a string instead of null, and did not clamp a
     * start before the first item when stepping back ({@code [1, 2][-10::-1]} was {@code [1]}).
     */
    private static final class Slice extends Node<Object> {
        private final Integer start;
        private final Integer stop;
        /** Never 0: the parser refuses a zero step. */
        private final int step;

        Slice(Adapter<Object> runtime, Integer start, Integer stop, Integer step) {
            super(runtime);
            this.start = start;
            this.stop = stop;
            this.step = step == null ? 1 : step;
        }

        @Override
        public Object search(Object input) {
            if (runtime.typeOf(input) != JmesPathType.ARRAY) {
                return runtime.createNull();
            }
            List<Object> items = runtime.toList(input);
            int length = items.size();
            // longs: a step near Integer.MAX_VALUE would overflow the index
            long from = start == null ? (step < 0 ? length - 1 : 0) : endpoint(length, start);
            long to = stop == null ? (step < 0 ? -1 : length) : endpoint(length, stop);
            List<Object> sliced = new ArrayList<>();
            for (long i = from; step > 0 ? i < to : i > to; i += step) {
                sliced.add(items.get((int) i));
            }
            return runtime.createArray(sliced);
        }

        private long endpoint(int length, int given) {
            long endpoint = given;
            if (endpoint < 0) {
                endpoint += length;
                if (endpoint < 0) {
                    endpoint = step < 0 ? -1 : 0;
                }
            } else if (endpoint >= length) {
                endpoint = step < 0 ? length - 1 : length;
            }
            return endpoint;
        }

        @Override
        protected String internalToString() {
            return start + ", " + stop + ", " + step;
        }

        @Override
        protected boolean internalEquals(Object o) {
            Slice other = (Slice) o;
            return Objects.equals(start, other.start) && Objects.equals(stop, other.stop)
                    && step == other.step;
        }

        @Override
        protected int internalHashCode() {
            return Objects.hash(start, stop, step);
        }
    }

    private static final class Flatten extends Node<Object> {
        Flatten(Adapter<Object> runtime) {
            super(runtime);
        }

        @Override
        public Object search(Object input) {
            if (runtime.typeOf(input) != JmesPathType.ARRAY) {
                return runtime.createNull();
            }
            List<Object> flat = new ArrayList<>();
            for (Object item : runtime.toList(input)) {
                if (runtime.typeOf(item) == JmesPathType.ARRAY) {
                    List<Object> inner = runtime.toList(item);
                    if (flat.size() + inner.size() > MAX_ARRAY_ITEMS) {
                        items(flat.size() + inner.size());
                    }
                    work(inner.size());
                    flat.addAll(inner);
                } else {
                    flat.add(item);
                }
            }
            return runtime.createArray(flat);
        }

        @Override
        protected boolean internalEquals(Object o) {
            return true;
        }

        @Override
        protected int internalHashCode() {
            return 19;
        }
    }

    /**
     * contains(subject, search) comparing as {@code ==} does. The library's uses {@code List.contains}, and
     * an Integer from a parsed document never equals the Long of a literal: {@code contains([3,1,2], `1`)}
     * was false.
     */
    private static final class Contains extends BaseFunction {
        Contains() {
            super("contains", ArgumentConstraints.typeOf(JmesPathType.ARRAY, JmesPathType.STRING),
                    ArgumentConstraints.anyValue());
        }

        @Override
        protected <T> T callFunction(Adapter<T> runtime, List<FunctionArgument<T>> arguments) {
            T subject = arguments.get(0).value();
            T search = arguments.get(1).value();
            if (runtime.typeOf(subject) == JmesPathType.ARRAY) {
                for (T item : runtime.toList(subject)) {
                    if (runtime.compare(item, search) == 0) {
                        return runtime.createBoolean(true);
                    }
                }
                return runtime.createBoolean(false);
            }
            return runtime.createBoolean(runtime.toString(subject).contains(runtime.toString(search)));
        }
    }

    /** length(subject) counting a string's code points, as the JMESPath specification does (an emoji is one). */
    private static final class Length extends BaseFunction {
        Length() {
            super("length", ArgumentConstraints.typeOf(JmesPathType.STRING, JmesPathType.ARRAY, JmesPathType.OBJECT));
        }

        @Override
        protected <T> T callFunction(Adapter<T> runtime, List<FunctionArgument<T>> arguments) {
            T subject = arguments.get(0).value();
            return switch (runtime.typeOf(subject)) {
                case STRING -> {
                    String text = runtime.toString(subject);
                    yield runtime.createNumber((long) text.codePointCount(0, text.length()));
                }
                case ARRAY -> runtime.createNumber((long) runtime.toList(subject).size());
                default -> runtime.createNumber((long) runtime.getPropertyNames(subject).size());
            };
        }
    }

    /** join(glue, strings), stopping before the string passes the bound rather than after building it. */
    private static final class Join extends BaseFunction {
        Join() {
            super("join", ArgumentConstraints.typeOf(JmesPathType.STRING),
                    ArgumentConstraints.arrayOf(ArgumentConstraints.typeOf(JmesPathType.STRING)));
        }

        @Override
        protected <T> T callFunction(Adapter<T> runtime, List<FunctionArgument<T>> arguments) {
            String glue = runtime.toString(arguments.get(0).value());
            StringBuilder joined = new StringBuilder();
            boolean first = true;
            for (T part : runtime.toList(arguments.get(1).value())) {
                String text = runtime.toString(part);
                if ((long) joined.length() + glue.length() + text.length() > MAX_STRING_CHARS) {
                    throw new BoundedWalk.LimitExceeded("join would build a string of more than " + MAX_STRING_CHARS + " characters");
                }
                if (!first) {
                    joined.append(glue);
                }
                joined.append(text);
                first = false;
            }
            return runtime.createString(joined.toString());
        }
    }
}
