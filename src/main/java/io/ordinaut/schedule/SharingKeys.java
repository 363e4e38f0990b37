package io.ordinaut.schedule;

/** Builds {@link Schedule#sharingKey()} strings: kind, normalised expression, zone, bounds. */
final class SharingKeys {

    private SharingKeys() {
    }

    /**
     * @param zoneMatters false for kinds whose instants do not depend on the zone (once, interval)
     * @param extra       anything else that changes the fire instants, or null
     */
    static String of(ScheduleDefinition d, boolean zoneMatters, String extra) {
        StringBuilder key = new StringBuilder(d.kind().wireName()).append('|').append(d.expression());
        if (zoneMatters) {
            key.append("|zone=").append(d.zone().getId());
        }
        if (d.startAt() != null) {
            key.append("|start=").append(d.startAt());
        }
        if (d.endAt() != null) {
            key.append("|end=").append(d.endAt());
        }
        if (extra != null) {
            key.append('|').append(extra);
        }
        return key.toString();
    }
}
