package io.ordinaut.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An RFC 5545 recurrence set: every RRULE expanded in floating wall-clock time of the expansion zone
 * and resolved with the DST rule, plus RDATE instants, minus EXDATE instants. The expansion zone is
 * DTSTART's TZID, UTC for a DTSTART ending in Z, otherwise the schedule's zone. Without DTSTART the
 * rules start at 00:00:00 local time on the anchor's date.
 */
final class RecurrenceSchedule extends BoundedSchedule {

    /** One RRULE: its local expansion and its UNTIL (applied to instants when given in UTC). */
    private record Rule(LocalSequence sequence, Instant untilInstant) {
    }

    /**
     * The most steps a COUNT rule may need to reach the time it is asked about when it is defined. A COUNT
     * rule is counted from DTSTART, and a node without a checkpoint of it (checkpoints live in memory)
     * counts from there: a step per period for DAILY rules (0.2–0.8 µs), per date for rules with several
     * periods a day (cheaper: DailyAndFinerSequence), per instance for lib-recur's WEEKLY, MONTHLY and
     * YEARLY rules. This keeps such a count under ~100 ms: a DTSTART up to about 270 years back for DAILY
     * and finer rules. Time adds a step a day at most, so a stored rule is not judged again.
     */
    static final long REPLAY_BUDGET = 100_000;

    private final ZoneId expansionZone;
    private final List<Rule> rules;
    private final Instant[] rdates;
    private final Set<Instant> exdates;
    private final String startDateKey;

    private RecurrenceSchedule(ScheduleDefinition definition, ZoneId expansionZone, List<Rule> rules,
                               Instant[] rdates, Set<Instant> exdates, String startDateKey) {
        super(definition);
        this.expansionZone = expansionZone;
        this.rules = rules;
        this.rdates = rdates;
        this.exdates = exdates;
        this.startDateKey = startDateKey;
    }

    static RecurrenceSchedule compile(ScheduleDefinition d) {
        RecurrenceSetText set = RecurrenceSetText.parse(d.expression());
        ZoneId zone = d.zone();
        LocalDateTime start;
        if (set.dtstart == null) {
            start = LocalDate.ofInstant(d.anchor(), zone).atStartOfDay();
        } else {
            start = set.dtstart.local();
            zone = set.dtstart.utc() ? ZoneOffset.UTC : set.dtstart.tzid() != null ? set.dtstart.tzid() : zone;
        }
        List<Rule> rules = new ArrayList<>();
        boolean startDateMatters = false;
        for (RecurrenceRuleText rule : set.rules) {
            LocalSequence expanded = rule.expand(start);
            if (!fires(expanded, start)) {
                if (rule.bySetPos != null && fires(rule.withoutSetPos().expand(start), start)) {
                    throw InvalidScheduleException.expression("The rule " + rule.canonical + " never produces an"
                            + " occurrence: BYSETPOS=" + join(rule.bySetPos) + " selects nothing, because no "
                            + rule.freq + " period of the rule has that many occurrences; use a smaller position"
                            + " or a negative one (-1 is the last).");
                }
                throw InvalidScheduleException.expression("The rule " + rule.canonical + " never produces an"
                        + " occurrence: no date-time satisfies all of its BY parts together (or they are too"
                        + " rare to compute).");
            }
            rules.add(untilBounded(rule, expanded));
            startDateMatters |= rule.startDateMatters();
        }
        ZoneId floatingZone = zone;
        Instant[] rdates = set.rdates.stream().map(r -> r.resolve(floatingZone)).distinct().sorted()
                .toArray(Instant[]::new);
        Set<Instant> exdates = new HashSet<>();
        set.exdates.forEach(x -> exdates.add(x.resolve(floatingZone)));
        String startDateKey = set.dtstart == null && startDateMatters ? "start=" + start.toLocalDate() : null;
        ScheduleDefinition normalised = new ScheduleDefinition(d.kind(), set.normalised(), d.zone(), d.anchor(),
                d.startAt(), d.endAt());
        return new RecurrenceSchedule(normalised, zone, List.copyOf(rules), rdates, Set.copyOf(exdates),
                startDateKey);
    }

    /** Whether the expansion has a first occurrence (lib-recur giving up counts as none: LibRecurSequence). */
    private static boolean fires(LocalSequence expanded, LocalDateTime start) {
        boolean possible = !(expanded instanceof DailyAndFinerSequence sequence) || sequence.canFire();
        return possible && expanded.from(start).next() != null;
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","));
    }

    /** Applies UNTIL: a UTC value bounds instants; a floating one (or a whole DATE) bounds local times. */
    private static Rule untilBounded(RecurrenceRuleText rule, LocalSequence expanded) {
        ICalDateTime until = rule.until;
        if (until == null) {
            return new Rule(expanded, null);
        }
        if (until.utc()) {
            return new Rule(expanded, until.local().toInstant(ZoneOffset.UTC));
        }
        LocalDateTime last = until.dateOnly() ? until.local().toLocalDate().atTime(LocalTime.MAX) : until.local();
        LocalSequence bounded = from -> {
            LocalCursor cursor = expanded.from(from);
            return () -> {
                LocalDateTime t = cursor.next();
                return t == null || t.isAfter(last) ? null : t;
            };
        };
        return new Rule(bounded, null);
    }

    /**
     * Refuses a COUNT rule whose occurrences after {@code at} take more than {@link #REPLAY_BUDGET} steps
     * to count from DTSTART: each node would count them before it could answer.
     */
    void requireAffordableAt(Instant at) {
        LocalDateTime local = LocalDateTime.ofInstant(at, expansionZone);
        for (Rule rule : rules) {
            if (!rule.sequence().reachableWithin(local, REPLAY_BUDGET)) {
                throw InvalidScheduleException.expression("The rule's COUNT is counted from DTSTART, and reaching "
                        + at + " would mean counting more than " + REPLAY_BUDGET + " of its periods, dates or"
                        + " instances since DTSTART: move DTSTART closer to now (lowering COUNT by the occurrences"
                        + " skipped), or use UNTIL instead of COUNT.");
            }
        }
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        List<InstantCursor> sources = new ArrayList<>(rules.size() + 1);
        for (Rule rule : rules) {
            InstantCursor cursor = WallClockResolver.after(rule.sequence(), expansionZone, after);
            Instant until = rule.untilInstant();
            sources.add(until == null ? cursor : () -> {
                Instant t = cursor.next();
                return t == null || t.isAfter(until) ? null : t;
            });
        }
        if (rdates.length > 0) {
            sources.add(rdatesAfter(after));
        }
        InstantCursor merged = sources.size() == 1 ? sources.get(0) : new MergedInstantCursor(sources);
        if (exdates.isEmpty()) {
            return merged;
        }
        return () -> {
            Instant t = merged.next();
            while (t != null && exdates.contains(t)) {
                t = merged.next();
            }
            return t;
        };
    }

    private InstantCursor rdatesAfter(Instant after) {
        int found = Arrays.binarySearch(rdates, after);
        int first = found >= 0 ? found + 1 : -found - 1;
        return new InstantCursor() {
            private int i = first;

            @Override
            public Instant next() {
                return i < rdates.length ? rdates[i++] : null;
            }
        };
    }

    @Override
    public String sharingKey() {
        return SharingKeys.of(definition, true, startDateKey);
    }
}
