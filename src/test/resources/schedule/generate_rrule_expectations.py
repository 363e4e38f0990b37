#!/usr/bin/env python3
"""Writes rrule_expectations.tsv: expected RRULE fire instants from an implementation independent
of Ordinaut's (python-dateutil 2.9 for the recurrence, zoneinfo for time zones).

Contract being checked: every rule is expanded in floating (naive) local time, then each local time
is resolved with zoneinfo and fold=0, which (PEP 495) maps a time in a spring-forward gap with the
offset before the transition (02:30 -> 03:30) and a time in a fall-back overlap to its earlier
instant. Instants are then sorted and de-duplicated. Without DTSTART a rule starts at 00:00:00 local
time on the anchor's date. DTSTART;TZID=X expands in X, DTSTART:...Z in UTC. A UNTIL in UTC bounds
the resolved instants. EXDATE removes instants; RDATE adds them. COUNT counts local occurrences.

Run from this directory with python-dateutil 2.9:  python3 generate_rrule_expectations.py
"""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import dateutil
from dateutil.rrule import rrulestr

assert dateutil.__version__.startswith("2.9"), dateutil.__version__

UTC = timezone.utc

# id, zone, anchor (task creation), after, count, expression ("\n" separates lines)
CASES = [
    ("daily_byhour_9_across_paris_spring_forward", "Europe/Paris", "2026-03-20T15:00:00Z", "2026-03-20T15:00:00Z", 12,
     "FREQ=DAILY;BYHOUR=9"),
    ("minutely_15_new_york_spring_gap", "America/New_York", "2026-03-07T17:00:00Z", "2026-03-08T06:00:00Z", 12,
     "FREQ=MINUTELY;INTERVAL=15"),
    ("minutely_15_new_york_fall_overlap", "America/New_York", "2026-10-30T17:00:00Z", "2026-11-01T04:50:00Z", 12,
     "FREQ=MINUTELY;INTERVAL=15"),
    ("hourly_chisinau_spring_gap", "Europe/Chisinau", "2026-03-27T10:00:00Z", "2026-03-28T21:30:00Z", 8,
     "FREQ=HOURLY"),
    ("hourly_chisinau_fall_overlap", "Europe/Chisinau", "2026-10-20T10:00:00Z", "2026-10-24T21:30:00Z", 8,
     "FREQ=HOURLY"),
    ("minutely_10_lord_howe_spring_half_hour_gap", "Australia/Lord_Howe", "2026-10-01T10:00:00Z",
     "2026-10-03T15:05:00Z", 10, "FREQ=MINUTELY;INTERVAL=10"),
    ("minutely_15_lord_howe_gap_collapses_duplicates", "Australia/Lord_Howe", "2026-10-01T10:00:00Z",
     "2026-10-03T15:05:00Z", 8, "FREQ=MINUTELY;INTERVAL=15"),
    ("minutely_10_lord_howe_fall_half_hour_overlap", "Australia/Lord_Howe", "2026-04-01T10:00:00Z",
     "2026-04-04T14:05:00Z", 10, "FREQ=MINUTELY;INTERVAL=10"),
    ("daily_0215_lord_howe_gap_shifts_30_minutes", "Australia/Lord_Howe", "2026-09-30T10:00:00Z",
     "2026-09-30T10:00:00Z", 7, "FREQ=DAILY;BYHOUR=2;BYMINUTE=15"),
    ("daily_0145_lord_howe_overlap_fires_once_early", "Australia/Lord_Howe", "2026-04-01T10:00:00Z",
     "2026-04-01T10:00:00Z", 7, "FREQ=DAILY;BYHOUR=1;BYMINUTE=45"),
    ("hourly_3_tokyo_no_dst", "Asia/Tokyo", "2026-03-07T17:00:00Z", "2026-03-08T01:00:00Z", 10,
     "FREQ=HOURLY;INTERVAL=3"),
    ("secondly_2_new_york_around_gap", "America/New_York", "2026-03-07T17:00:00Z", "2026-03-08T06:59:51Z", 12,
     "FREQ=SECONDLY;INTERVAL=2"),
    ("secondly_20_filtered_by_minute", "Europe/Paris", "2026-03-07T17:00:00Z", "2026-03-07T17:00:00Z", 10,
     "FREQ=SECONDLY;INTERVAL=20;BYMINUTE=0,1"),
    ("daily_0230_new_york_gap_shifts_to_0330", "America/New_York", "2026-03-05T17:00:00Z", "2026-03-05T17:00:00Z",
     5, "FREQ=DAILY;BYHOUR=2;BYMINUTE=30"),
    ("daily_0130_new_york_overlap_fires_once_at_edt", "America/New_York", "2026-10-29T17:00:00Z",
     "2026-10-29T17:00:00Z", 5, "FREQ=DAILY;BYHOUR=1;BYMINUTE=30"),
    ("daily_0230_and_0330_collapse_on_gap_day", "America/New_York", "2026-03-06T17:00:00Z", "2026-03-06T17:00:00Z",
     6, "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30"),
    ("monthly_last_weekday_bysetpos", "UTC", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", 8,
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=17"),
    ("monthly_second_and_last_tuesday_bysetpos", "Europe/Chisinau", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z",
     8, "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2,-1;BYHOUR=10"),
    ("monthly_last_friday_negative_byday", "Europe/Paris", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", 8,
     "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18"),
    ("monthly_last_two_days_negative_bymonthday", "America/New_York", "2026-01-10T00:00:00Z",
     "2026-01-10T00:00:00Z", 8, "FREQ=MONTHLY;BYMONTHDAY=-1,-2;BYHOUR=23;BYMINUTE=59"),
    ("monthly_31st_skips_short_months", "UTC", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", 6,
     "FREQ=MONTHLY;BYMONTHDAY=31"),
    ("yearly_byweekno_mondays", "UTC", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", 6,
     "FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO"),
    ("yearly_first_and_last_yearday", "Asia/Tokyo", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", 6,
     "FREQ=YEARLY;BYYEARDAY=1,-1;BYHOUR=12"),
    ("yearly_chisinau_transition_day_0230_in_gap", "Europe/Chisinau", "2026-01-10T00:00:00Z",
     "2026-01-10T00:00:00Z", 4, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30"),
    ("weekly_interval_2_wkst_su", "America/New_York", "2026-01-10T00:00:00Z", "1997-08-01T00:00:00Z", 6,
     "DTSTART:19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"),
    ("weekly_interval_2_wkst_mo", "America/New_York", "2026-01-10T00:00:00Z", "1997-08-01T00:00:00Z", 6,
     "DTSTART:19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"),
    ("daily_count_5_two_times_a_day", "Europe/Paris", "2026-03-27T10:00:00Z", "2026-03-27T10:00:00Z", 10,
     "FREQ=DAILY;COUNT=5;BYHOUR=9,18"),
    ("daily_until_utc_instant", "Europe/Paris", "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 10,
     "FREQ=DAILY;BYHOUR=9;UNTIL=20260310T080000Z"),
    ("daily_until_floating_local", "America/New_York", "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 10,
     "DTSTART:20260305T090000\nRRULE:FREQ=DAILY;UNTIL=20260309T090000"),
    ("weekly_tzid_dtstart_with_exdate_and_rdate", "UTC", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 8,
     "DTSTART;TZID=America/New_York:20260302T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR\n"
     "EXDATE;TZID=America/New_York:20260304T090000,20260309T090000\nRDATE:20260305T150000Z"),
    ("utc_dtstart_ignores_schedule_zone", "Asia/Tokyo", "2026-03-01T10:00:00Z", "2026-02-28T10:00:00Z", 6,
     "DTSTART:20260301T090000Z\nRRULE:FREQ=DAILY;COUNT=4"),
    ("dtstart_not_matching_rule_is_not_an_occurrence", "Europe/Paris", "2026-03-01T10:00:00Z",
     "2026-03-01T10:00:00Z", 5, "DTSTART:20260304T090000\nRRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3"),
    ("two_rrules_union_without_duplicates", "Europe/Paris", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 8,
     "DTSTART:20260301T000000\nRRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=9"),
    ("rdate_only_with_gap_time", "Europe/Paris", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 5,
     "RDATE;TZID=Europe/Paris:20260329T023000,20260401T090000"),
    ("exdate_at_gap_time_removes_shifted_occurrence", "UTC", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 6,
     "DTSTART;TZID=America/New_York:20260306T023000\nRRULE:FREQ=DAILY;COUNT=5\n"
     "EXDATE;TZID=America/New_York:20260308T023000"),
    ("minutely_20_sparse_weekend_hours", "America/New_York", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 10,
     "FREQ=MINUTELY;INTERVAL=20;BYDAY=SA,SU;BYHOUR=9,10"),
    ("hourly_5_lattice_from_anchor_midnight", "Europe/Chisinau", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z",
     10, "FREQ=HOURLY;INTERVAL=5"),
    ("hourly_first_and_last_minute_bysetpos", "UTC", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 8,
     "FREQ=HOURLY;BYMINUTE=0,20,40;BYSETPOS=1,-1"),
    ("minutely_7_with_byseconds", "Asia/Tokyo", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 10,
     "FREQ=MINUTELY;INTERVAL=7;BYSECOND=0,30"),
    ("hourly_dtstart_minute_implied", "Europe/Paris", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 6,
     "DTSTART:20260302T093712\nRRULE:FREQ=HOURLY;INTERVAL=2"),
    ("minutely_count_with_filters", "Europe/Paris", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 10,
     "DTSTART:20260306T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30;COUNT=6;BYDAY=MO;BYHOUR=9,10,11,12"),
    ("rrule_prefix_on_bare_rule", "Europe/Chisinau", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 5,
     "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=8;BYMINUTE=15"),
    ("daily_interval_3_from_anchor_date", "Asia/Tokyo", "2026-03-02T20:00:00Z", "2026-03-02T20:00:00Z", 5,
     "FREQ=DAILY;INTERVAL=3;BYHOUR=7"),
]


def parse_value(value, tzid_zone):
    """A DATE-TIME value -> (naive local, zone): UTC for a Z value, the TZID zone, or None (floating)."""
    naive = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    return naive, (UTC if value.endswith("Z") else tzid_zone)


def resolve(naive, zone):
    if zone is UTC:
        return naive.replace(tzinfo=UTC)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def expected(zone_name, anchor, after, count, expression):
    zone = ZoneInfo(zone_name)
    dtstart, expansion_zone = None, zone
    rules, rdates, exdates = [], [], []
    for line in expression.split("\n"):
        head, _, value = line.partition(":") if ":" in line else ("RRULE", None, line)
        name, *params = head.split(";")
        params = dict(p.split("=", 1) for p in params)
        tzid_zone = ZoneInfo(params["TZID"]) if "TZID" in params else None
        if name == "DTSTART":
            dtstart, expansion_zone = parse_value(value, tzid_zone)
            expansion_zone = expansion_zone or zone
        elif name == "RRULE":
            rules.append(value)
        else:
            target = rdates if name == "RDATE" else exdates
            target.extend(parse_value(v, tzid_zone) for v in value.split(","))
    if dtstart is None:
        dtstart = datetime.fromisoformat(anchor.replace("Z", "+00:00")).astimezone(zone).replace(
            tzinfo=None, hour=0, minute=0, second=0)
    after_dt = datetime.fromisoformat(after.replace("Z", "+00:00"))
    instants = set()
    wanted = count + len(exdates)  # EXDATE may remove some of them
    for rule in rules:
        until_instant = None
        m = re.search(r"UNTIL=(\d{8}T\d{6})Z", rule)
        if m:  # dateutil refuses a UTC UNTIL with a naive DTSTART: apply it to the instants instead
            until_instant = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            rule = re.sub(r";?UNTIL=\d{8}T\d{6}Z", "", rule)
        found, stop_after_local = [], None
        for local in rrulestr(rule, dtstart=dtstart):
            if stop_after_local and local > stop_after_local:
                break
            instant = resolve(local, expansion_zone)
            if until_instant and instant > until_instant:
                break
            if instant > after_dt:
                found.append(instant)
                if len(found) == wanted:
                    # later local times resolve no earlier than (local - 14 h): one day more is plenty
                    kth = sorted(found)[wanted - 1]
                    stop_after_local = kth.replace(tzinfo=None) + timedelta(days=1)
        instants.update(found)
    for naive, tz in rdates:
        instant = resolve(naive, tz or expansion_zone)
        if instant > after_dt:
            instants.add(instant)
    for naive, tz in exdates:
        instants.discard(resolve(naive, tz or expansion_zone))
    return sorted(instants)[:count]


def fmt(instant):
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    with open("rrule_expectations.tsv", "w") as out:
        out.write("# generated by generate_rrule_expectations.py (python-dateutil %s); do not edit\n"
                  % dateutil.__version__)
        out.write("# id\tzone\tanchor\tafter\tcount\texpression (\\n = line break)\texpected instants\n")
        for case_id, zone, anchor, after, count, expression in CASES:
            instants = expected(zone, anchor, after, count, expression)
            out.write("\t".join([case_id, zone, anchor, after, str(count), expression.replace("\n", "\\n"),
                                 " ".join(fmt(i) for i in instants) or "-"]) + "\n")


if __name__ == "__main__":
    main()
