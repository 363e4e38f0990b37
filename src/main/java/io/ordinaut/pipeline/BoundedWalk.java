package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ordinaut.StoredJson;

/**
 * Walks a plain-Java JSON value within bounds on its depth and on its size written as compact JSON,
 * copying it or only measuring it. The walk stops as soon as a bound is passed, so refusing a value far
 * beyond it costs no more than the bound: a string doubled twenty times, an array holding itself twice
 * at every level ({@code [@, @]} nested, small in memory but exponential written out), or a value that
 * holds itself (an echoing tool handed {@code ${@}}), which is infinitely deep.
 */
final class BoundedWalk {

    /** Deeper than any stored value may be: the JSON writer refuses 500 levels. */
    static final int MAX_NESTING = 256;

    /** The value passed a bound; the message says which, to be prefixed with what the value was. */
    static final class LimitExceeded extends RuntimeException {
        /** The depth bound, rather than the size bound (or a number too wide). */
        final boolean tooDeep;

        LimitExceeded(String message) {
            this(message, false);
        }

        LimitExceeded(String message, boolean tooDeep) {
            super(message, null, false, false);
            this.tooDeep = tooDeep;
        }
    }

    private final int maxDepth;
    private final String depthSetting;
    private final long maxBytes;
    private final String bytesSetting;
    private final boolean storedNumbers;

    BoundedWalk(int maxDepth, String depthSetting, long maxBytes, String bytesSetting) {
        this(maxDepth, depthSetting, maxBytes, bytesSetting, false);
    }

    /**
     * @param storedNumbers also refuse a number jsonb would write out longer than
     *                      {@value StoredJson#MAX_NUMBER_WIDTH} characters, for values that will be stored
     */
    BoundedWalk(int maxDepth, String depthSetting, long maxBytes, String bytesSetting, boolean storedNumbers) {
        this.maxDepth = maxDepth;
        this.depthSetting = depthSetting;
        this.maxBytes = maxBytes;
        this.bytesSetting = bytesSetting;
        this.storedNumbers = storedNumbers;
    }

    /**
     * A deep copy in fresh maps and lists: it shares no container with what it was made from, so saving
     * it (or what a tool builds around it) can never make the run's context contain itself.
     */
    Object copy(Object value) {
        return new Walk(true).walk(value, 0);
    }

    /** Returns the value's size as compact JSON (about: a character counts as a byte), without copying it. */
    long measure(Object value) {
        Walk walk = new Walk(false);
        walk.walk(value, 0);
        return walk.bytes;
    }

    /** Bytes in MiB or KiB when round, for messages. */
    static String bytes(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    private final class Walk {
        private final boolean copying;
        /** The containers from the root to the one being walked, to tell a value holding itself when too deep. */
        private final Object[] path = new Object[maxDepth];
        private long bytes;

        Walk(boolean copying) {
            this.copying = copying;
        }

        Object walk(Object value, int depth) {
            if (value instanceof Map<?, ?> map) {
                enter(value, depth);
                add(2L + Math.max(0, map.size() - 1));
                Map<String, Object> copy = copying ? new LinkedHashMap<>(Math.max(4, map.size() * 2)) : null;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    String key = String.valueOf(entry.getKey());
                    add(key.length() + 3L);
                    Object item = walk(entry.getValue(), depth + 1);
                    if (copying) {
                        copy.put(key, item);
                    }
                }
                return copy;
            }
            if (value instanceof List<?> list) {
                enter(value, depth);
                add(2L + Math.max(0, list.size() - 1));
                List<Object> copy = copying ? new ArrayList<>(list.size()) : null;
                for (Object item : list) {
                    Object walked = walk(item, depth + 1);
                    if (copying) {
                        copy.add(walked);
                    }
                }
                return copy;
            }
            if (value instanceof String text) {
                add(text.length() + 2L);
            } else if (value instanceof Boolean || value == null) {
                add(5);
            } else {
                if (storedNumbers && value instanceof Number number && !StoredJson.fits(number)) {
                    // 1e200 is 7 characters here and 201 in jsonb, past what reading the run back accepts
                    throw new LimitExceeded("holding a value that " + StoredJson.tooWide(number));
                }
                add(String.valueOf(value).length());
            }
            // strings, numbers, booleans and null are immutable: shared as they are
            return value;
        }

        private void enter(Object container, int depth) {
            if (depth >= maxDepth) {
                throw new LimitExceeded("nested deeper than " + maxDepth + " levels (" + depthSetting + ")"
                        + (holdsItself() ? ": it contains itself" : ""), true);
            }
            path[depth] = container;
        }

        /** Whether a container on the path is inside itself; only asked once the walk is too deep, so quadratic is cheap. */
        private boolean holdsItself() {
            for (int i = 0; i < path.length; i++) {
                for (int j = i + 1; j < path.length; j++) {
                    if (path[i] == path[j]) {
                        return true;
                    }
                }
            }
            return false;
        }

        private void add(long count) {
            bytes += count;
            if (bytes > maxBytes) {
                throw new LimitExceeded("larger than " + BoundedWalk.bytes(maxBytes) + " (" + bytesSetting + ")");
            }
        }
    }
}
