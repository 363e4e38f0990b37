// Tasks: every visible task with its schedule in words, next fire times in two zones, last run; actions.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get, query } from '../api.js';
import { update } from '../app.js';
import { scheduleInWords, inZone, viewerZone, ago } from '../words.js';
import { badge, errorBox, loading, eachLimited } from '../ui.js';
import { actionButtons } from './actions.js';

const STATUSES = ['active', 'paused', 'completed', 'canceled'];
const KINDS = ['cron', 'rrule', 'once', 'interval', 'event'];
const s = { filters: { status: '', schedule_kind: '', text: '' }, tasks: null, total: 0, next: new Map(), last: new Map(), error: null, message: null };
let generation = 0;

async function load() {
  const mine = ++generation;
  s.error = null;
  try {
    const page = await get(`/tasks${query({ status: s.filters.status, schedule_kind: s.filters.schedule_kind, limit: 200 })}`);
    if (mine !== generation) return;
    s.tasks = page.items; s.total = page.total;
    update();
    // The latest run of each task, from one page of recent runs (newest first).
    const runs = await get('/runs?limit=500').catch(() => ({ items: [] }));
    s.last = new Map();
    for (const r of runs.items) if (!s.last.has(r.task_id)) s.last.set(r.task_id, r);
    update();
    await eachLimited(s.tasks.filter(t => t.schedule_kind !== 'event' && (t.status === 'active' || t.status === 'paused')).slice(0, 60), 4, async t => {
      try {
        const preview = await get(`/tasks/${t.id}/preview?count=3`);
        if (mine === generation) { s.next.set(t.id, preview.occurrences); update(); }
      } catch (e) { s.next.set(t.id, e); update(); }
    });
  } catch (e) { s.error = e; update(); }
}

const visible = () => {
  const text = s.filters.text.trim().toLowerCase();
  return (s.tasks || []).filter(t => !text || `${t.title} ${t.description} ${t.id} ${t.schedule_expr}`.toLowerCase().includes(text));
};

function setFilter(name) {
  return e => { s.filters[name] = e.target.value; if (name === 'text') update(); else { s.tasks = null; update(); load(); } };
}

function nextTimes(t) {
  if (t.schedule_kind === 'event') return html`<span class="muted">on events</span>`;
  if (t.status !== 'active') return html`<span class="muted">${t.status === 'paused' ? 'paused' : 'none'}</span>`;
  const next = s.next.get(t.id);
  if (next === undefined) return html`<span class="muted">…</span>`;
  if (next instanceof Error) return html`<span class="muted" title=${next.message}>unavailable</span>`;
  if (!next.length) return html`<span class="muted">none</span>`;
  const viewer = viewerZone();
  return html`<ol class="times">${next.map(o => html`<li><time datetime=${o}>${inZone(o, t.timezone)}</time>
    ${viewer !== t.timezone ? html`<span class="muted"> · ${inZone(o, viewer)} yours</span>` : nothing}</li>`)}</ol>`;
}

function lastRun(t) {
  const r = s.last.get(t.id);
  if (!r) return html`<span class="muted">never</span>`;
  return html`${badge(r.status)} <span class="muted">${ago(r.finished_at || r.created_at)}</span>`;
}

const done = (r, action) => { s.message = r.message || `${action} done`; load(); };
const failed = e => { s.error = e; update(); };

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
        <label>Text <input type="search" name="text" .value=${s.filters.text} @input=${setFilter('text')} placeholder="title, id, expression"></label>
        <a class="button" href="#/playground">New task…</a>
      </form>
      ${s.message ? html`<p class="ok" role="status">${s.message}</p>` : nothing}
      ${errorBox(s.error)}
      ${s.tasks === null ? (s.error ? nothing : loading('tasks')) : rows.length === 0 ? html`<p class="muted">No tasks match.</p>` : html`
        <p class="muted">${rows.length} of ${s.total} shown. Times in each task's zone, and in yours (${viewerZone()}).</p>
        <div class="scroll"><table class="tasks">
          <thead><tr><th scope="col">Task</th><th scope="col">Schedule</th><th scope="col">Next fire times</th>
            <th scope="col">Last run</th><th scope="col">Actions</th></tr></thead>
          <tbody>${rows.map(t => html`<tr data-task-id=${t.id}>
            <td data-label="Task"><a href="#/task/${t.id}">${t.title}</a> ${badge(t.status)}</td>
            <td data-label="Schedule" class="schedule">${scheduleInWords(t.schedule_kind, t.schedule_expr, t.timezone)}
              <code class="muted">${t.schedule_expr}</code></td>
            <td data-label="Next" class="next">${nextTimes(t)}</td>
            <td data-label="Last run" class="last-run">${lastRun(t)}</td>
            <td data-label="Actions">${actionButtons(t, done, failed)}</td></tr>`)}</tbody>
        </table></div>`}`;
  },
};
