package io.ordinaut.schedule;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The text of an rrule schedule: a bare rule ("FREQ=...", optionally "RRULE:" prefixed) or a
 * recurrence set of DTSTART, RRULE, RDATE and EXDATE lines. Lines may be separated by newlines, by a
 * literal backslash-n (as left by double-escaped JSON) or by blanks before the next property name.
 */
final class RecurrenceSetText {

    private static final Pattern LINE_BREAK = Pattern.compile(
            "\\r?\\n|\\r|\\\\n|\\s+(?=(?i:DTSTART|RRULE|EXRULE|RDATE|EXDATE)[;:])");

    final ICalDateTime dtstart;
    final List<RecurrenceRuleText> rules;
    final List<ICalDateTime> rdates;
    final List<ICalDateTime> exdates;

    private RecurrenceSetText(ICalDateTime dtstart, List<RecurrenceRuleText> rules, List<ICalDateTime> rdates,
                              List<ICalDateTime> exdates) {
        this.dtstart = dtstart;
        this.rules = rules;
        this.rdates = rdates;
        this.exdates = exdates;
    }

    static RecurrenceSetText parse(String expression) {
        ICalDateTime dtstart = null;
        List<RecurrenceRuleText> rules = new ArrayList<>();
        List<ICalDateTime> rdates = new ArrayList<>();
        List<ICalDateTime> exdates = new ArrayList<>();
        for (String rawLine : LINE_BREAK.split(expression)) {
            String line = rawLine.trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf(':') < 0 && line.indexOf('=') > 0) {
                rules.add(RecurrenceRuleText.parse(line)); // a bare rule
                continue;
            }
            Property property = Property.parse(line);
            switch (property.name) {
                case "DTSTART" -> {
                    if (dtstart != null) {
                        throw InvalidScheduleException.expression("DTSTART appears more than once.");
                    }
                    property.requireOnlyParameters("TZID", "VALUE");
                    dtstart = ICalDateTime.parse(property.value, property.tzid(), false, "DTSTART");
                }
                case "RRULE" -> {
                    property.requireOnlyParameters();
                    rules.add(RecurrenceRuleText.parse(property.value));
                }
                case "RDATE", "EXDATE" -> {
                    property.requireOnlyParameters("TZID", "VALUE");
                    ZoneId tzid = property.tzid();
                    for (String value : property.value.split(",")) {
                        ICalDateTime date = ICalDateTime.parse(value, tzid, false, property.name);
                        (property.name.equals("RDATE") ? rdates : exdates).add(date);
                    }
                }
                case "EXRULE" -> throw InvalidScheduleException.expression("EXRULE is deprecated by RFC 5545"
                        + " and not supported; list the dates to skip in EXDATE instead.");
                default -> throw InvalidScheduleException.expression("'" + line + "' is not a DTSTART, RRULE,"
                        + " RDATE or EXDATE line.");
            }
        }
        if (rules.isEmpty() && rdates.isEmpty()) {
            throw InvalidScheduleException.expression("The rrule schedule has no RRULE (or RDATE), so it would"
                    + " never fire; add e.g. RRULE:FREQ=DAILY.");
        }
        return new RecurrenceSetText(dtstart, rules, rdates, exdates);
    }

    /**
     * Canonical text: a lone rule without DTSTART stays bare; otherwise DTSTART, sorted RRULE lines,
     * then RDATE and EXDATE lines grouped by floating / UTC / TZID with sorted values.
     */
    String normalised() {
        TreeSet<String> ruleTexts = new TreeSet<>();
        rules.forEach(r -> ruleTexts.add(r.canonical));
        if (dtstart == null && rdates.isEmpty() && exdates.isEmpty() && ruleTexts.size() == 1) {
            return ruleTexts.first();
        }
        List<String> lines = new ArrayList<>();
        if (dtstart != null) {
            lines.add("DTSTART" + parameters(dtstart) + ":" + dtstart.value());
        }
        ruleTexts.forEach(r -> lines.add("RRULE:" + r));
        addDates(lines, "RDATE", rdates);
        addDates(lines, "EXDATE", exdates);
        return String.join("\n", lines);
    }

    private static void addDates(List<String> lines, String name, List<ICalDateTime> dates) {
        // Floating first, then UTC, then each TZID in name order.
        Map<String, TreeSet<String>> groups = new TreeMap<>(Comparator
                .comparing((String p) -> p.isEmpty() ? 0 : p.equals("Z") ? 1 : 2).thenComparing(p -> p));
        for (ICalDateTime date : dates) {
            String group = date.utc() ? "Z" : parameters(date);
            groups.computeIfAbsent(group, g -> new TreeSet<>()).add(date.value());
        }
        groups.forEach((group, values) -> lines.add(name + (group.equals("Z") ? "" : group) + ":"
                + String.join(",", values)));
    }

    private static String parameters(ICalDateTime date) {
        return date.tzid() == null ? "" : ";TZID=" + date.tzid().getId();
    }

    /** One content line: NAME;PARAM=VALUE;...:VALUE. */
    private record Property(String name, Map<String, String> parameters, String value) {

        static Property parse(String line) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw InvalidScheduleException.expression("'" + line + "' is not a DTSTART, RRULE, RDATE or"
                        + " EXDATE line.");
            }
            String[] head = line.substring(0, colon).split(";");
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int eq = head[i].indexOf('=');
                if (eq <= 0) {
                    throw InvalidScheduleException.expression("'" + head[i] + "' in '" + line + "' is not a"
                            + " parameter of the form NAME=VALUE.");
                }
                String value = head[i].substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                parameters.put(head[i].substring(0, eq).trim().toUpperCase(Locale.ROOT), value);
            }
            return new Property(head[0].trim().toUpperCase(Locale.ROOT), parameters,
                    line.substring(colon + 1).trim());
        }

        void requireOnlyParameters(String... allowed) {
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                if (!List.of(allowed).contains(parameter.getKey())) {
                    throw InvalidScheduleException.expression(name + " does not take the parameter "
                            + parameter.getKey() + ".");
                }
                if (parameter.getKey().equals("VALUE") && !parameter.getValue().equalsIgnoreCase("DATE-TIME")) {
                    throw InvalidScheduleException.expression(name + ";VALUE=" + parameter.getValue()
                            + " is not supported; give date-times such as 20260301T090000.");
                }
            }
        }

        ZoneId tzid() {
            String id = parameters.get("TZID");
            if (id == null) {
                return null;
            }
            try {
                return Schedules.zone(id);
            } catch (InvalidScheduleException e) {
                throw InvalidScheduleException.expression(name + ": TZID=" + id + " is not a known time zone;"
                        + " use an IANA name such as Europe/Paris.");
            }
        }
    }
}
