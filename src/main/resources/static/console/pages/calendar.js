// A month calendar of occurrences (strings in the schedule's zone), with daylight-saving notes flagged.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { localParts, monthName } from '../words.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Occurrences grouped by local date: Map 'YYYY-MM-DD' → [{iso, time, note}]. */
function byDay(occurrences, notes) {
  const days = new Map();
  for (const iso of occurrences) {
    const p = localParts(iso);
    if (!p) continue;
    if (!days.has(p.date)) days.set(p.date, []);
    days.get(p.date).push({ iso, time: p.time, note: notes.get(iso) });
  }
  return days;
}

/** The months the occurrences touch, as [year, month] pairs in order. */
export function monthsOf(occurrences) {
  const seen = new Map();
  for (const iso of occurrences) {
    const p = localParts(iso);
    if (p) seen.set(`${p.year}-${p.month}`, [p.year, p.month]);
  }
  return [...seen.values()];
}

export function calendar(year, month, occurrences, notes) {
  const days = byDay(occurrences, notes);
  const first = new Date(Date.UTC(year, month - 1, 1));
  const lead = (first.getUTCDay() + 6) % 7;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells = [...Array(lead).fill(null), ...Array.from({ length }, (_, i) => i + 1)];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  const key = d => `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return html`<table class="calendar">
    <caption>${monthName(month)} ${year}</caption>
    <thead><tr>${WEEKDAYS.map(d => html`<th scope="col" abbr=${d}>${d}</th>`)}</tr></thead>
    <tbody>${weeks.map(week => html`<tr>${week.map(d => {
      if (!d) return html`<td class="empty"></td>`;
      const list = days.get(key(d)) || [];
      const flagged = list.some(o => o.note);
      return html`<td class=${`${list.length ? 'has' : ''} ${flagged ? 'dst' : ''}`}>
        <span class="day">${d}</span>
        ${list.length ? html`<span class="count">${list.length > 3 ? `${list.length}×` : list.map(o => o.time).join(' ')}</span>` : nothing}
        ${flagged ? html`<span class="flag" title=${list.filter(o => o.note).map(o => o.note).join('; ')}>DST</span>` : nothing}
      </td>`;
    })}</tr>`)}</tbody>
  </table>`;
}
