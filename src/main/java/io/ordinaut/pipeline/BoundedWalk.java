package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a plain-Java JSON value with a depth bound, copying it or only measuring it. The walk stops at
 * the first level past the bound, so a value that holds itself (an echoing tool given {@code ${@}})
 * is refused as too deep instead of recursing until the stack or the JSON writer gives up.
 */
final class BoundedWalk {

    /** Deeper than any stored value may be: the JSON writer refuses 500 levels. */
    static final int MAX_NESTING = 256;

    /** The value passed a bound; the message says which, to be prefixed with what the value was. */
    static final class LimitExceeded extends RuntimeException {
        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxDepth;
    private final String depthSetting;

    BoundedWalk(int maxDepth, String depthSetting) {
        this.maxDepth = maxDepth;
        this.depthSetting = depthSetting;
    }

    /**
     * A deep copy in fresh maps and lists: it shares no container with what it was made from, so saving
     * it (or what a tool builds around it) can never make the run's context contain itself.
     */
    Object copy(Object value) {
        return walk(value, 0, true);
    }

    /** Checks the value without copying it. */
    void measure(Object value) {
        walk(value, 0, false);
    }

    private Object walk(Object value, int depth, boolean copying) {
        if (value instanceof Map<?, ?> map) {
            enter(depth);
            Map<String, Object> copy = copying ? new LinkedHashMap<>(Math.max(4, map.size() * 2)) : null;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object item = walk(entry.getValue(), depth + 1, copying);
                if (copying) {
                    copy.put(String.valueOf(entry.getKey()), item);
                }
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            enter(depth);
            List<Object> copy = copying ? new ArrayList<>(list.size()) : null;
            for (Object item : list) {
                Object walked = walk(item, depth + 1, copying);
                if (copying) {
                    copy.add(walked);
                }
            }
            return copy;
        }
        // strings, numbers, booleans and null are immutable: shared as they are
        return value;
    }

    private void enter(int depth) {
        if (depth >= maxDepth) {
            throw new LimitExceeded("nested deeper than " + maxDepth + " levels (" + depthSetting + "), or containing itself");
        }
    }
}
