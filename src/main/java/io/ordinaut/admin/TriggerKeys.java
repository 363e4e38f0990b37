package io.ordinaut.admin;

import java.util.Optional;
import java.util.UUID;

import io.ordinaut.trigger.QuartzAdmin;

/**
 * How a trigger is named in admin paths: {@code group.name} as Quartz prints it
 * ({@code ordinaut.4f0c…}, {@code ordinaut-windows.window-0}), or the bare name when it says its group
 * (a schedule id, {@code window-N}).
 */
final class TriggerKeys {

    private TriggerKeys() {
    }

    record Key(String group, String name) {

        @Override
        public String toString() {
            return group + "." + name;
        }
    }

    static Optional<Key> parse(String text) {
        if (text == null || text.isBlank() || text.length() > 401) {
            return Optional.empty();
        }
        int dot = text.indexOf('.');
        if (dot > 0 && dot < text.length() - 1) {
            String group = text.substring(0, dot);
            String name = text.substring(dot + 1);
            return Optional.of(new Key(group, QuartzAdmin.SCHEDULE_GROUP.equals(group) ? canonicalId(name) : name));
        }
        if (text.startsWith(QuartzAdmin.WINDOW_PREFIX)) {
            return Optional.of(new Key(QuartzAdmin.WINDOW_GROUP, text));
        }
        return isId(text) ? Optional.of(new Key(QuartzAdmin.SCHEDULE_GROUP, canonicalId(text))) : Optional.empty();
    }

    /** A schedule id as Quartz names its trigger (lower case), or the text unchanged when it is no id. */
    private static String canonicalId(String text) {
        return isId(text) ? UUID.fromString(text).toString() : text;
    }

    private static boolean isId(String text) {
        if (text.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
