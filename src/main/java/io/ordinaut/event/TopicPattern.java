package io.ordinaut.event;

import java.util.regex.Pattern;

/**
 * Topic names and the patterns event tasks subscribe with. A topic is dot-separated segments of letters,
 * digits and {@code _ : / -}; in a pattern a whole segment may be {@code *} (exactly one segment) or
 * {@code #} (any number of segments, zero included). Patterns are checked when the task is created
 * (io.ordinaut.schedule.EventSchedule), so matching here may assume a valid one.
 */
final class TopicPattern {

    static final int MAX_LENGTH = 200;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_:/-]+(?:\\.[A-Za-z0-9_:/-]+)*");

    private TopicPattern() {
    }

    static boolean isTopic(String topic) {
        return topic.length() <= MAX_LENGTH && TOPIC.matcher(topic).matches();
    }

    static boolean isPattern(String expr) {
        return expr.indexOf('*') >= 0 || expr.indexOf('#') >= 0;
    }

    static boolean matches(String pattern, String topic) {
        if (!isPattern(pattern)) {
            return pattern.equals(topic);
        }
        return matches(pattern.split("\\.", -1), 0, topic.split("\\.", -1), 0);
    }

    private static boolean matches(String[] p, int i, String[] t, int j) {
        while (i < p.length) {
            String segment = p[i];
            if (segment.equals("#")) {
                // the rest of the pattern may start at any later segment of the topic
                for (int k = j; k <= t.length; k++) {
                    if (matches(p, i + 1, t, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (j >= t.length || !(segment.equals("*") || segment.equals(t[j]))) {
                return false;
            }
            i++;
            j++;
        }
        return j == t.length;
    }
}
