// Runs: live history (Server-Sent Events, polling when the stream is unavailable), step traces, retries.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get, post, query, stream } from '../api.js';
import { update, ask, navigate } from '../app.js';
import { inZone, viewerZone, duration, ago, shownJson } from '../words.js';
import { badge, errorBox, loading } from '../ui.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'dead', 'skipped', 'canceled'];
const TRIGGERS = ['schedule', 'run_now', 'event', 'retry', 'reclaim'];
const POLL_MS = 3000;

const s = {
  filters: { status: '', trigger: '', task_id: '' }, runs: null, total: 0, tasks: [], open: null, detail: null,
  live: 'off', error: null, actionError: null, message: null,
};
let live = null;
let refreshTimer = null;
const taskCache = new Map();

async function load() {
  try {
    const page = await get(`/runs${query({ ...s.filters, include_errors: true, limit: 100 })}`);
    s.runs = page.items; s.total = page.total; s.error = null;
  } catch (e) { s.error = e; }
  update();
}

function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; load(); if (s.open) openRun(s.open, false); }, 300);
}

/** Follows /events/stream; any run or task entry refreshes the list. Falls back to polling. */
function goLive() {
  stopLive();
  const controller = new AbortController();
  let poller = null;
  live = { controller, stop: () => { controller.abort(); clearInterval(poller); } };
  const poll = () => { s.live = 'polling'; update(); poller = setInterval(load, POLL_MS); };
  s.live = 'connecting';
  stream('/events/stream', () => { if (s.live !== 'live') { s.live = 'live'; update(); } refreshSoon(); }, controller.signal)
    .then(() => { if (!controller.signal.aborted) poll(); })
    .catch(() => { if (!controller.signal.aborted) poll(); });
  // The stream sends nothing until something happens; say "live" once it is open.
  setTimeout(() => { if (s.live === 'connecting' && !controller.signal.aborted) { s.live = 'live'; update(); } }, 1500);
}

function stopLive() { live?.stop(); live = null; clearTimeout(refreshTimer); refreshTimer = null; }

async function taskOf(id) {
  if (!taskCache.has(id)) taskCache.set(id, get(`/tasks/${id}`).catch(() => null));
  return taskCache.get(id);
}

async function openRun(id, scroll = true) {
  s.open = id;
  try {
    const run = await get(`/runs/${id}`);
    s.detail = { run, task: await taskOf(run.task_id) };
  } catch (e) { s.detail = { error: e }; }
  update();
  if (scroll) queueMicrotask(() => document.getElementById('run-detail')?.focus());
}

/**
 * A run can be retried by its own id only where its history row is the run's last attempt (id = run_id):
 * an earlier attempt's row, whose run went on, answers 409.
 */
const retriable = r => ['failed', 'dead'].includes(r.status) && (!r.run_id || r.id === r.run_id);

// A refused action's message (403 without runs:write, 409) is kept apart from the list's own loading
// error, which every reload of the list clears.
async function retry(run) {
  const yes = await ask({ title: 'Retry this run?', message: `Run ${run.id} (${run.status}) goes back to the queue under the same id.`, confirm: 'Retry' });
  if (!yes) return;
  s.message = null; s.actionError = null;
  try { s.message = (await post(`/runs/${run.id}/retry`)).message; } catch (e) { s.actionError = e; }
  update();
  load();
}

async function retryAllDead() {
  const taskId = s.filters.task_id;
  const dead = (await get(`/runs${query({ task_id: taskId, status: 'dead', limit: 1000 })}`)).items;
  const ids = [...new Set(dead.map(r => r.run_id || r.id))];
  s.actionError = null;
  if (!ids.length) { s.message = 'This task has no dead runs.'; update(); return; }
  const yes = await ask({ title: `Retry ${ids.length} dead run${ids.length === 1 ? '' : 's'}?`,
    message: 'Each goes back to the queue under its own id.', confirm: 'Retry all' });
  if (!yes) return;
  let ok = 0; const failures = [];
  for (const id of ids) {
    try { await post(`/runs/${id}/retry`); ok++; } catch (e) { failures.push(`${id}: ${e.message}`); }
  }
  s.message = `${ok} of ${ids.length} dead runs re-queued.${failures.length ? ` Not retried: ${failures.join('; ')}` : ''}`;
  load();
}

function setFilter(name) {
  return e => {
    s.filters[name] = e.target.value;
    if (name === 'task_id') { navigate(s.filters.task_id ? `#/runs/${s.filters.task_id}` : '#/runs'); return; }
    s.runs = null; update(); load();
  };
}

function traceView(detail) {
  if (detail.error) return errorBox(detail.error);
  const { run, task } = detail;
  const output = run.output || {};
  const steps = new Map((task?.payload?.pipeline || []).map(st => [st.id, st]));
  const trace = output.trace || [];
  const zone = task?.timezone || viewerZone();
  return html`
    <h2 id="run-detail-h">Run ${run.id.slice(0, 8)} ${badge(run.status)}</h2>
    <dl class="facts">
      <dt>task</dt><dd><a href="#/task/${run.task_id}">${task?.title || run.task_id}</a></dd>
      <dt>trigger</dt><dd>${run.trigger}</dd><dt>attempt</dt><dd>${run.attempt}</dd>
      <dt>scheduled for</dt><dd>${inZone(run.scheduled_for, zone, true)}</dd>
      <dt>started</dt><dd>${inZone(run.started_at, zone, true)}</dd>
      <dt>duration</dt><dd>${duration(run.duration_ms)}</dd>
      <dt>node</dt><dd>${run.lease_owner || '—'}</dd>
    </dl>
    ${run.error ? html`<p class="error-text">${run.error}</p>` : nothing}
    ${retriable(run) ? html`<button type="button" @click=${() => retry(run)}>Retry this run</button>`
      : run.run_id && run.id !== run.run_id ? html`<p class="muted">An earlier attempt of run <a href=${`#/runs/${run.task_id}/${run.run_id}`}>${run.run_id.slice(0, 8)}</a>, which went on after it.</p>` : nothing}
    <p class="muted">Times in ${zone}.</p>
    <h3>Step trace</h3>
    ${trace.length === 0 ? html`<p class="muted">${['queued', 'running'].includes(run.status) ? 'No trace yet: the run has not finished.' : 'No steps recorded.'}</p>` : html`
      <ol class="trace">${trace.map(t => {
        const def = steps.get(t.id);
        const out = output.steps ? output.steps[def?.save_as || t.id] : undefined;
        return html`<li class=${`step step-${t.status}`}>
          <div><strong>${t.id}</strong> <code>${t.uses}</code> ${badge(t.status)} <span class="muted">${duration(t.duration_ms)}, ${t.attempts} attempt${t.attempts === 1 ? '' : 's'}</span></div>
          ${def?.if ? html`<div class="muted">only if <code>${def.if}</code></div>` : nothing}
          ${t.error ? html`<p class="error-text">${t.error}</p>` : nothing}
          <details ?open=${trace.length <= 3}><summary>input</summary><pre>${shownJson(out?.input_args ?? def?.with ?? {})}</pre></details>
          <details ?open=${trace.length <= 3}><summary>output</summary><pre>${out === undefined ? '—' : shownJson(out)}</pre></details>
        </li>`;
      })}</ol>`}`;
}

export const runsPage = {
  async enter([taskId, runId]) {
    s.filters.task_id = taskId || '';
    s.message = null; s.actionError = null; s.runs = null; s.open = null; s.detail = null;
    get('/tasks?limit=200').then(p => { s.tasks = p.items; update(); }).catch(() => {});
    goLive();
    await load();
    if (runId) openRun(runId);
  },
  leave() { stopLive(); s.live = 'off'; },
  view() {
    const zone = viewerZone();
    return html`
      <h1>Runs <span class=${`live live-${s.live}`} role="status">${{ live: '● live', polling: 'polling every 3 s', connecting: 'connecting…', off: '' }[s.live]}</span></h1>
      <form class="filters" @submit=${e => e.preventDefault()}>
        <label>Status <select name="status" @change=${setFilter('status')}><option value="">any</option>
          ${STATUSES.map(v => html`<option ?selected=${v === s.filters.status}>${v}</option>`)}</select></label>
        <label>Trigger <select name="trigger" @change=${setFilter('trigger')}><option value="">any</option>
          ${TRIGGERS.map(v => html`<option ?selected=${v === s.filters.trigger}>${v}</option>`)}</select></label>
        <label>Task <select name="task_id" @change=${setFilter('task_id')}><option value="">any</option>
          ${s.tasks.map(t => html`<option value=${t.id} ?selected=${t.id === s.filters.task_id}>${t.title}</option>`)}</select></label>
        ${s.filters.task_id ? html`<button type="button" @click=${() => retryAllDead().catch(e => { s.actionError = e; update(); })}>Retry all dead runs of this task</button>` : nothing}
      </form>
      ${s.message ? html`<p class="ok" role="status">${s.message}</p>` : nothing}
      ${errorBox(s.actionError)}
      ${errorBox(s.error)}
      <div class="split">
        <div>
          ${s.runs === null ? (s.error ? nothing : loading('runs')) : s.runs.length === 0 ? html`<p class="muted">No runs match.</p>` : html`
            <p class="muted">${s.runs.length} of ${s.total}, newest first; times in ${zone}.</p>
            <div class="scroll"><table class="runs">
              <thead><tr><th scope="col">Status</th><th scope="col">Task</th><th scope="col">Trigger</th>
                <th scope="col">Scheduled for</th><th scope="col">Duration</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>${s.runs.map(r => html`<tr data-run-id=${r.id} class=${r.id === s.open ? 'selected' : ''}>
                <td>${badge(r.status)}</td>
                <td>${s.tasks.find(t => t.id === r.task_id)?.title || r.task_id.slice(0, 8)}</td>
                <td>${r.trigger}</td>
                <td>${inZone(r.scheduled_for, zone)} <span class="muted">${ago(r.scheduled_for)}</span></td>
                <td>${duration(r.duration_ms)}</td>
                <td><button type="button" class="small" aria-label=${`Trace of run ${r.id}`} @click=${() => openRun(r.id)}>Trace</button>
                  ${retriable(r) ? html`<button type="button" class="small" data-action="retry" @click=${() => retry(r)}>Retry</button>` : nothing}</td>
              </tr>`)}</tbody></table></div>`}
        </div>
        ${s.detail ? html`<section id="run-detail" class="card" tabindex="-1" aria-labelledby="run-detail-h">${traceView(s.detail)}</section>` : nothing}
      </div>`;
  },
};
