// Cluster (admin): Quartz instances and their check-ins, the nodes with roles and in-flight runs, and the
// shared schedules with how many tasks each carries.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get, ApiError } from '../api.js';
import { update } from '../app.js';
import { badge, errorBox, loading, anyJson } from '../ui.js';
import { ago, scheduleInWords } from '../words.js';

const s = { scheduler: undefined, workers: null, schedules: null, error: null };

async function load() {
  s.error = null;
  const scheduler = (async () => {
    try { return await get('/admin/scheduler'); } catch (e) { if (e instanceof ApiError && e.status === 404) return null; throw e; }
  })();
  try {
    const [sched, workers, tasks] = await Promise.all([scheduler, get('/workers?limit=200'), allTasks()]);
    s.scheduler = sched; s.workers = workers.items;
    // A shared schedule is one (kind, expression, zone, bounds) that several tasks fire from together.
    const groups = new Map();
    for (const t of tasks.filter(t => t.status === 'active' && t.schedule_kind !== 'event')) {
      const key = JSON.stringify([t.schedule_kind, t.schedule_expr, t.timezone, t.start_at, t.end_at]);
      if (!groups.has(key)) groups.set(key, { task: t, count: 0 });
      groups.get(key).count++;
    }
    s.schedules = [...groups.values()].sort((a, b) => b.count - a.count);
  } catch (e) { s.error = e; }
  update();
}

/** How shared schedules fire, by the firing mode GET /admin/scheduler reports. */
function firingWords(scheduler) {
  const mode = scheduler?.firing_mode;
  if (mode === 'windows') return 'Active tasks with the same schedule share one schedule row; a few window triggers fire every schedule\'s occurrences (windows firing mode).';
  if (mode === 'per-schedule') return 'Active tasks with the same schedule fire from one Quartz trigger (per-schedule firing mode).';
  return 'Active tasks with the same schedule share one schedule.';
}

async function allTasks() {
  const items = [];
  for (let offset = 0; offset < 2000; offset += 200) {
    const page = await get(`/tasks?limit=200&offset=${offset}&status=active`);
    items.push(...page.items);
    if (!page.has_more) break;
  }
  return items;
}

function instances(scheduler) {
  // GET /admin/scheduler: cluster is the rows of Quartz's scheduler-state table
  const rows = scheduler.cluster ?? [];
  const rest = Object.fromEntries(Object.entries(scheduler).filter(([k]) => k !== 'cluster'));
  return html`
    <div class="scroll"><table class="instances"><thead><tr><th scope="col">Instance</th><th scope="col">Last check-in</th>
      <th scope="col">Interval (ms)</th><th scope="col">Alive</th></tr></thead><tbody>${rows.map(i => html`<tr>
        <td><code>${i.instance_id}</code>${i.this_node ? html` <span class="muted">(this node)</span>` : nothing}</td>
        <td>${i.last_checkin} <span class="muted">${ago(i.last_checkin)}</span></td><td>${i.checkin_interval_ms}</td>
        <td>${i.alive ? 'yes' : html`<strong class="error-text">no</strong>`}</td></tr>`)}</tbody></table></div>
    <details><summary>This node's scheduler</summary>${anyJson(rest)}</details>`;
}

export const clusterPage = {
  enter() { s.scheduler = undefined; s.workers = null; return load(); },
  view() {
    return html`
      <h1>Cluster</h1>
      ${errorBox(s.error)}
      <section aria-labelledby="quartz-h">
        <h2 id="quartz-h">Quartz instances</h2>
        ${s.scheduler === undefined ? (s.error ? nothing : loading('the scheduler')) : s.scheduler === null
          ? html`<p class="notice" role="status">Scheduler details (GET /admin/scheduler) are not available on this node.</p>`
          : instances(s.scheduler)}
      </section>
      <section aria-labelledby="workers-h">
        <h2 id="workers-h">Nodes</h2>
        ${s.workers === null ? (s.error ? nothing : loading('the nodes')) : html`<div class="scroll"><table class="workers">
          <thead><tr><th scope="col">Node</th><th scope="col">State</th><th scope="col">Roles</th><th scope="col">In flight</th>
            <th scope="col">Processed</th><th scope="col">Last seen</th><th scope="col">Host</th></tr></thead>
          <tbody>${s.workers.map(w => html`<tr><td><code>${w.node_id}</code></td><td>${badge(w.state)}</td><td>${w.roles.join(', ')}</td>
            <td>${w.in_flight}</td><td>${w.processed}</td><td>${ago(w.last_seen)}</td><td>${w.host ?? '—'}${w.pid ? ` (pid ${w.pid})` : ''}</td></tr>`)}</tbody>
        </table></div>`}
      </section>
      <section aria-labelledby="shared-h">
        <h2 id="shared-h">Shared schedules</h2>
        <p class="muted" id="shared-how">${firingWords(s.scheduler)}</p>
        ${s.schedules === null ? nothing : s.schedules.length === 0 ? html`<p class="muted">No active scheduled tasks.</p>` : html`
          <div class="scroll"><table class="schedules"><thead><tr><th scope="col">Schedule</th><th scope="col">Tasks</th><th scope="col">Example</th></tr></thead>
          <tbody>${s.schedules.map(g => html`<tr><td>${scheduleInWords(g.task.schedule_kind, g.task.schedule_expr, g.task.timezone)}
            <code class="muted">${g.task.schedule_expr}</code></td><td>${g.count}</td><td><a href="#/task/${g.task.id}">${g.task.title}</a></td></tr>`)}</tbody></table></div>`}
      </section>`;
  },
};
