// Tasks: one page of tasks at a time, with its schedule in words, next fire times in two zones, last run; actions.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get, query } from '../api.js';
import { update } from '../app.js';
import { scheduleInWords, inZone, wallTime, viewerZone, ago } from '../words.js';
import { badge, errorBox, loading, eachLimited } from '../ui.js';
import { actionButtons } from './actions.js';

const STATUSES = ['active', 'paused', 'completed', 'canceled'];
const KINDS = ['cron', 'rrule', 'once', 'interval', 'event'];
/** Rows per page: each row costs two calls (its preview and its last run), within an agent's burst limit. */
const PAGE = 25;
const s = {
  filters: { status: '', schedule_kind: '', text: '' }, offset: 0, tasks: null, total: 0,
  next: new Map(), last: new Map(), error: null, message: null,
};
let generation = 0;

/**
 * One page of GET /tasks with the server's filters (status, kind), then, for each task on it, its next
 * three fire times and its latest run — so every row gets both, whatever page it is on.
 */
async function load() {
  const mine = ++generation;
  s.error = null;
  try {
    const page = await get(`/tasks${query({ status: s.filters.status, schedule_kind: s.filters.schedule_kind, limit: PAGE, offset: s.offset })}`);
    if (mine !== generation) return;
    s.tasks = page.items; s.total = page.total;
    s.next = new Map(); s.last = new Map();
    update();
    await eachLimited(s.tasks, 4, async t => {
      if (mine !== generation) return;
      const wantsTimes = t.schedule_kind !== 'event' && t.status === 'active';
      const [next, last] = await Promise.all([
        wantsTimes ? get(`/tasks/${t.id}/preview?count=3`).then(p => p.occurrences, e => e) : null,
        get(`/tasks/${t.id}/runs?limit=1`).then(p => p.items[0] || null, e => e),
      ]);
      if (mine !== generation) return;
      if (wantsTimes) s.next.set(t.id, next);
      s.last.set(t.id, last);
      update();
    });
  } catch (e) { if (mine === generation) { s.error = e; update(); } }
}

// The API has no text search: the text filter narrows the page that is loaded.
const visible = () => {
  const text = s.filters.text.trim().toLowerCase();
  return (s.tasks || []).filter(t => !text || `${t.title} ${t.description} ${t.id} ${t.schedule_expr}`.toLowerCase().includes(text));
};

function setFilter(name) {
  return e => {
    s.filters[name] = e.target.value;
    if (name === 'text') { update(); return; }
    s.offset = 0; s.tasks = null; update(); load();
  };
}

function turn(offset) {
  return () => { s.offset = Math.max(0, offset); s.tasks = null; update(); load(); };
}

function nextTimes(t) {
  if (t.schedule_kind === 'event') return html`<span class="muted">on events</span>`;
  if (t.status !== 'active') return html`<span class="muted">${t.status === 'paused' ? 'paused' : 'none'}</span>`;
  const next = s.next.get(t.id);
  if (next === undefined) return html`<span class="muted">…</span>`;
  if (next instanceof Error) return html`<span class="muted" title=${next.message}>unavailable</span>`;
  if (!next.length) return html`<span class="muted">none</span>`;
  const viewer = viewerZone();
  // The task's zone as the server wrote it (wall time and offset); the viewer's by the browser's zone data.
  return html`<ol class="times">${next.map(o => html`<li><time datetime=${o}>${wallTime(o)}</time>
    ${viewer !== t.timezone ? html`<span class="muted"> · ${inZone(o, viewer)} yours</span>` : nothing}</li>`)}</ol>`;
}

function lastRun(t) {
  if (!s.last.has(t.id)) return html`<span class="muted">…</span>`;
  const r = s.last.get(t.id);
  if (r instanceof Error) return html`<span class="muted" title=${r.message}>unavailable</span>`;
  if (!r) return html`<span class="muted">never</span>`;
  return html`${badge(r.status)} <span class="muted">${ago(r.finished_at || r.created_at)}</span>`;
}

const done = (r, action) => { s.message = r.message || `${action} done`; load(); };
const failed = e => { s.error = e; update(); };

function pager() {
  const last = Math.min(s.offset + (s.tasks?.length || 0), s.total);
  return html`<nav class="pager" aria-label="Pages of tasks">
    <button type="button" class="small" data-page="previous" ?disabled=${s.offset === 0} @click=${turn(s.offset - PAGE)}>‹ Previous</button>
    <span class="muted">${s.total ? `${s.offset + 1}–${last}` : '0'} of ${s.total}</span>
    <button type="button" class="small" data-page="next" ?disabled=${s.offset + PAGE >= s.total} @click=${turn(s.offset + PAGE)}>Next ›</button>
  </nav>`;
}

export const tasksPage = {
  enter() { s.message = null; s.tasks = null; return load(); },
  view() {
    const rows = visible();
    return html`
      <h1>Tasks</h1>
      <form class="filters" role="search" @submit=${e => e.preventDefault()}>
        <label>Status <select name="status" @change=${setFilter('status')} .value=${s.filters.status}>
          <option value="">any</option>${STATUSES.map(v => html`<option ?selected=${v === s.filters.status}>${v}</option>`)}</select></label>
        <label>Kind <select name="schedule_kind" @change=${setFilter('schedule_kind')}>
          <option value="">any</option>${KINDS.map(v => html`<option ?selected=${v === s.filters.schedule_kind}>${v}</option>`)}</select></label>
        <label>Text on this page <input type="search" name="text" .value=${s.filters.text} @input=${setFilter('text')} placeholder="title, id, expression"></label>
        <a class="button" href="#/playground">New task…</a>
      </form>
      ${s.message ? html`<p class="ok" role="status">${s.message}</p>` : nothing}
      ${errorBox(s.error)}
      ${s.tasks === null ? (s.error ? nothing : loading('tasks')) : html`
        ${pager()}
        ${rows.length === 0 ? html`<p class="muted">No tasks match${s.filters.text.trim() && s.tasks.length ? ' on this page' : ''}.</p>` : html`
        <p class="muted">${s.filters.text.trim() ? `${rows.length} of the ${s.tasks.length} on this page match the text. ` : ''}Times in each task's zone, and in yours (${viewerZone()}).</p>
        <div class="scroll"><table class="tasks">
          <thead><tr><th scope="col">Task</th><th scope="col">Schedule</th><th scope="col">Next fire times</th>
            <th scope="col">Last run</th><th scope="col">Actions</th></tr></thead>
          <tbody>${rows.map(t => html`<tr data-task-id=${t.id}>
            <td data-label="Task"><a href="#/task/${t.id}">${t.title}</a> ${badge(t.status)}</td>
            <td data-label="Schedule" class="schedule">${scheduleInWords(t.schedule_kind, t.schedule_expr, t.timezone)}
              <code class="muted">${t.schedule_expr}</code></td>
            <td data-label="Next" class="next">${nextTimes(t)}</td>
            <td data-label="Last run" class="last-run">${lastRun(t)}</td>
            <td data-label="Actions" class="actions">${actionButtons(t, done, failed)}</td></tr>`)}</tbody>
        </table></div>`}`}`;
  },
};
