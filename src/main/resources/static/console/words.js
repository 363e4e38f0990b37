// Schedules in words, times in a zone, and daylight-saving notes for preview occurrences.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAY_NAMES = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MONTH_NAMES = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };
const RRULE_DAYS = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };
const MACROS = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

const pad = n => String(n).padStart(2, '0');
const clock = (h, m, s) => `${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
const ordinal = n => {
  if (n < 0) return n === -1 ? 'last' : `${ordinal(-n)} from last`;
  const t = n % 100;
  return n + (t >= 11 && t <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th');
};
const list = items => items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** Expands one cron field into its values, or null when it is '*' (any). */
function cronValues(field, min, max, names) {
  if (field === '*') return null;
  const out = new Set();
  for (const part of field.toUpperCase().split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const value = v => names && v in names ? names[v] : Number(v);
    let lo, hi;
    if (range === '*') { lo = min; hi = max; }
    else if (range.includes('-')) { const [a, b] = range.split('-'); lo = value(a); hi = value(b); }
    else { lo = value(range); hi = stepText ? max : lo; }
    if ([lo, hi, step].some(Number.isNaN)) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function daysInWords(days) {
  const set = new Set(days.map(d => d % 7));
  const key = [...set].sort().join(',');
  if (key === '1,2,3,4,5') return 'on weekdays';
  if (key === '0,6') return 'on weekends';
  if (set.size === 7) return '';
  return `on ${list([...set].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map(d => DAYS[d]))}`;
}

function timesInWords(hours, minutes, seconds = [0]) {
  if (minutes && hours && hours.length * minutes.length <= 6) {
    return `at ${list(hours.flatMap(h => minutes.map(m => clock(h, m, seconds.length === 1 && seconds[0] ? seconds[0] : 0))))}`;
  }
  const minutePart = !minutes ? 'every minute'
    : minutes.length === 1 ? `at minute ${minutes[0]}`
    : isStep(minutes, 60) ? `every ${minutes[1] - minutes[0]} minutes` : `at minutes ${list(minutes.map(String))}`;
  const hourPart = !hours ? '' : hours.length === 1 ? ` of hour ${pad(hours[0])}` : ` during hours ${list(hours.map(pad))}`;
  return minutePart + hourPart;
}

const isStep = (values, cycle) => values.length > 1 && values[0] === 0 && cycle % (values[1] - values[0]) === 0
  && values.every((v, i) => v === i * (values[1] - values[0]));

export function cronInWords(expr) {
  const text = (MACROS[expr.trim().toLowerCase()] || expr).trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = [
    cronValues(fields[0], 0, 59), cronValues(fields[1], 0, 23), cronValues(fields[2], 1, 31),
    cronValues(fields[3], 1, 12, MONTH_NAMES), cronValues(fields[4], 0, 7, DAY_NAMES)];
  if ([minute, hour, dom, month, dow].includes(undefined)) return null;
  const parts = [timesInWords(hour, minute)];
  const dayParts = [];
  if (dom) dayParts.push(`on day ${list(dom.map(String))} of the month`);
  if (dow) dayParts.push(daysInWords(dow));
  if (dayParts.length) parts.push(dayParts.filter(Boolean).join(' or '));
  else if (hour && minute && hour.length * minute.length <= 6) parts.push('every day');
  if (month) parts.push(`in ${list(month.map(m => MONTHS[m - 1]))}`);
  return parts.filter(Boolean).join(' ');
}

export function rruleInWords(expr) {
  const lines = expr.split(/\n/).map(l => l.trim()).filter(Boolean);
  const ruleLine = lines.find(l => /^(RRULE:)?FREQ=/i.test(l));
  if (!ruleLine) return null;
  const rule = Object.fromEntries(ruleLine.replace(/^RRULE:/i, '').split(';').map(p => p.split('=')).map(([k, v]) => [k.toUpperCase(), v]));
  const nums = k => rule[k] ? rule[k].split(',').map(Number) : null;
  const interval = Number(rule.INTERVAL || 1);
  const every = (unit, plural) => interval === 1 ? `every ${unit}` : `every ${interval} ${plural}`;
  // Without BYHOUR the rule keeps its DTSTART's time of day (the task's creation day at 00:00 without one).
  const start = /DTSTART[^:]*:\d{8}T(\d{2})(\d{2})/i.exec(expr);
  const hours = nums('BYHOUR') || (start && !['SECONDLY', 'MINUTELY', 'HOURLY'].includes(rule.FREQ) ? [Number(start[1])] : null);
  const minutes = nums('BYMINUTE') || (hours ? [start && !rule.BYHOUR ? Number(start[2]) : 0] : null);
  const parts = [];
  switch (rule.FREQ) {
    case 'SECONDLY': parts.push(every('second', 'seconds')); break;
    case 'MINUTELY': parts.push(every('minute', 'minutes')); break;
    case 'HOURLY': parts.push(every('hour', 'hours')); if (minutes) parts.push(`at minute ${list(minutes.map(String))}`); break;
    default: {
      const unit = { DAILY: ['day', 'days'], WEEKLY: ['week', 'weeks'], MONTHLY: ['month', 'months'], YEARLY: ['year', 'years'] }[rule.FREQ];
      if (!unit) return null;
      parts.push(hours ? timesInWords(hours, minutes, nums('BYSECOND') || [0]) : 'at midnight');
      if (interval !== 1 || (!rule.BYDAY && !rule.BYMONTHDAY)) parts.push(every(...unit));
    }
  }
  if (rule.BYDAY) {
    const days = rule.BYDAY.split(',').map(d => /^([+-]?\d+)?([A-Z]{2})$/i.exec(d)).filter(Boolean);
    if (days.every(d => !d[1])) parts.push(daysInWords(days.map(d => RRULE_DAYS[d[2].toUpperCase()])));
    else parts.push(`on the ${list(days.map(d => `${d[1] ? ordinal(Number(d[1])) + ' ' : ''}${DAYS[RRULE_DAYS[d[2].toUpperCase()]]}`))}`);
  }
  if (rule.BYSETPOS && rule.BYDAY) {
    const which = parts.at(-1) === 'on weekdays' ? 'weekday' : `of ${parts.at(-1).replace(/^on /, '')}`;
    parts[parts.length - 1] = `on the ${ordinal(Number(rule.BYSETPOS))} ${which} of the ${rule.FREQ === 'YEARLY' ? 'year' : 'month'}`;
  }
  if (rule.BYMONTHDAY) parts.push(`on the ${list(nums('BYMONTHDAY').map(ordinal))}`);
  if (rule.BYMONTH) parts.push(`in ${list(nums('BYMONTH').map(m => MONTHS[m - 1]))}`);
  if (rule.COUNT) parts.push(`(${rule.COUNT} times)`);
  if (rule.UNTIL) parts.push(`until ${rule.UNTIL.replace(/^(\d{4})(\d{2})(\d{2}).*/, '$1-$2-$3')}`);
  return parts.filter(Boolean).join(' ');
}

function durationInWords(expr) {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(expr.trim());
  if (!m) return null;
  const units = [['week', m[1]], ['day', m[2]], ['hour', m[3]], ['minute', m[4]], ['second', m[5]]]
    .filter(([, n]) => n && Number(n)).map(([u, n]) => Number(n) === 1 ? `1 ${u}` : `${Number(n)} ${u}s`);
  return units.length ? `every ${list(units)}` : null;
}

/** "at 09:00 on weekdays, Europe/Chisinau" — or the expression itself when it has no plainer form. */
export function scheduleInWords(kind, expr, zone) {
  let words = null;
  try {
    if (kind === 'cron') words = cronInWords(expr);
    else if (kind === 'rrule') words = rruleInWords(expr);
    else if (kind === 'interval') words = durationInWords(expr);
    else if (kind === 'once') words = `once, at ${expr.replace('T', ' ')}`;
    else if (kind === 'event') return `on each event ${expr}`;
  } catch { words = null; }
  return `${words || expr}, ${zone || 'UTC'}`;
}

/** The wall-clock times a schedule asks for (['02:30']), when it names them; null otherwise. */
export function requestedTimes(kind, expr) {
  let hours, minutes;
  if (kind === 'cron') {
    const fields = (MACROS[expr.trim().toLowerCase()] || expr).trim().split(/\s+/);
    if (fields.length !== 5) return null;
    hours = cronValues(fields[1], 0, 23); minutes = cronValues(fields[0], 0, 59);
  } else if (kind === 'rrule') {
    const rule = /BYHOUR=([\d,]+)/i.exec(expr); const mins = /BYMINUTE=([\d,]+)/i.exec(expr);
    if (!rule || /FREQ=(SECONDLY|MINUTELY|HOURLY)/i.test(expr)) return null;
    hours = rule[1].split(',').map(Number); minutes = mins ? mins[1].split(',').map(Number) : [0];
    if (/DTSTART/i.test(expr) && !/BYMINUTE/i.test(expr)) return null;
  } else return null;
  if (!hours || !minutes) return null;
  return new Set(hours.flatMap(h => minutes.map(m => clock(h, m))));
}

/** The local date and time an occurrence string carries ("2026-03-08T03:30:00-04:00" → parts). */
export function localParts(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?/.exec(iso);
  if (!m) return null;
  return { date: `${m[1]}-${m[2]}-${m[3]}`, year: +m[1], month: +m[2], day: +m[3], time: `${m[4]}:${m[5]}`,
    offset: m[7] === 'Z' ? '+00:00' : m[7] || '' };
}

/**
 * Notes on daylight-saving shifts in a list of occurrences (strings in the schedule's zone): a time the
 * schedule asks for that does not exist that day, and changes of the zone's UTC offset.
 *
 * A time other than the one asked for is a gap only where the zone's offset changed just before it (from
 * the previous occurrence, or for the first one from a day earlier by the browser's zone data): a snoozed
 * occurrence, which the task preview lists at its snoozed time, keeps its offset and gets no note.
 */
export function dstNotes(kind, expr, occurrences, zone) {
  const wanted = requestedTimes(kind, expr);
  const notes = new Map();
  let previousOffset = null;
  for (const iso of occurrences) {
    const p = localParts(iso);
    if (!p) continue;
    const day = dayInWords(p);
    const before = previousOffset ?? offsetAt(instant(iso).getTime() - 86400_000, zone);
    if (wanted && !wanted.has(p.time) && before !== null && before !== p.offset) {
      const meant = [...wanted].filter(t => t < p.time).at(-1) || [...wanted][0];
      notes.set(iso, `${meant} does not exist on ${day}; runs at ${p.time}`);
    } else if (previousOffset !== null && p.offset !== previousOffset) {
      notes.set(iso, `clocks changed before ${day}: UTC${previousOffset} → UTC${p.offset}`);
    }
    previousOffset = p.offset;
  }
  return notes;
}

/** The zone's UTC offset at an instant ("+02:00") by the browser's zone data; null when it cannot tell. */
export function offsetAt(millis, zone) {
  if (!zone) return null;
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(millis)).find(part => part.type === 'timeZoneName')?.value;
    if (!name) return null;
    if (name === 'GMT') return '+00:00';
    const m = /^GMT([+-]\d{2}:\d{2}(?::\d{2})?)$/.exec(name);
    return m ? m[1] : null;
  } catch { return null; }
}

/** The notes of a list as one sentence's parts: each text once, at most `most` of them. */
export function notesInWords(notes, most = 5) {
  const texts = [...new Set(notes.values())];
  return texts.length <= most ? texts.join('; ') : `${texts.slice(0, most).join('; ')}; and ${texts.length - most} more`;
}

export const dayInWords = p => `${p.day} ${MONTHS[p.month - 1]}`;
export const monthName = m => MONTHS[m - 1];

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** An ISO-8601 instant as a Date: JavaScript's own parser refuses an offset with seconds (LMT-era zones, -00:44:30). */
export function instant(iso) {
  const m = /^(.*?)([+-])(\d{2}):(\d{2}):(\d{2})$/.exec(iso);
  if (!m) return new Date(iso);
  const offsetSeconds = (m[2] === '-' ? -1 : 1) * ((+m[3] * 60 + +m[4]) * 60 + +m[5]);
  return new Date(new Date(`${m[1]}Z`).getTime() - offsetSeconds * 1000);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const SHORT_MONTHS = MONTHS.map(m => m.slice(0, 3));

/**
 * An instant as "Mon 30 Nov, 09:00" in a zone, by the browser's zone data: for the viewer's own zone and
 * for UTC instants. The year is shown when asked for, or when the instant is not in the current year.
 */
export function inZone(iso, zone, withYear = false) {
  if (!iso) return '—';
  const date = instant(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    const year = withYear || new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric' }).format(date)
      !== new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric' }).format(new Date());
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short',
      year: year ? 'numeric' : undefined, hour: '2-digit', minute: '2-digit', second: date.getUTCSeconds() ? '2-digit' : undefined,
      hourCycle: 'h23' }).format(date);
  } catch { return iso; }
}

/**
 * An occurrence as the server wrote it, in the schedule's zone: its wall time and offset
 * ("Sun, 28 Mar 2027, 03:30 UTC+03:00"), never re-computed with the browser's zone data, which may differ
 * from the server's (an older browser, a zone whose rules changed). The year is shown when asked for, or
 * when the occurrence is not in the current year.
 */
export function wallTime(iso, withYear = false, now = new Date()) {
  const p = localParts(iso || '');
  if (!p) return iso || '—';
  const seconds = /T\d{2}:\d{2}:(\d{2})/.exec(iso)?.[1];
  const weekday = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  const time = seconds && seconds !== '00' ? `${p.time}:${seconds}` : p.time;
  // The shapes inZone's Intl gives: "Mon 30 Nov, 09:00", "Mon, 30 Nov 2026, 09:00".
  const day = withYear || p.year !== now.getFullYear()
    ? `${weekday}, ${p.day} ${SHORT_MONTHS[p.month - 1]} ${p.year}` : `${weekday} ${p.day} ${SHORT_MONTHS[p.month - 1]}`;
  return `${day}, ${time}${p.offset ? ` UTC${p.offset}` : ''}`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.round((now - instant(iso).getTime()) / 1000);
  const abs = Math.abs(s);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : ms < 60000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60000)} min`;
}

const SECRET_KEY = /secret|token|password|passwd|api[_-]?key|authorization|credential/i;

/** JSON for display, with the values of secret-looking keys masked. */
export function shownJson(value) {
  return JSON.stringify(value, (k, v) => (k && SECRET_KEY.test(k) && v !== null && typeof v !== 'object' ? '***' : v), 2);
}
