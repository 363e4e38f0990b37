// Queue (admin): GET /admin/queue where this node serves it, and throughput and lag over the last hour
// derived from the runs themselves (so the chart works on every node).
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import uPlot from '/console/lib/uplot/dist/uPlot.esm.js';
import { get, query, ApiError } from '../api.js';
import { update } from '../app.js';
import { errorBox, loading, anyJson } from '../ui.js';
import { ago } from '../words.js';

const REFRESH_MS = 10000;
const s = { queue: undefined, error: null, chartError: null, series: null, updated: null };
let timer = null;
let plot = null;

async function loadQueue() {
  try { s.queue = await get('/admin/queue'); s.error = null; } catch (e) {
    if (e instanceof ApiError && e.status === 404) s.queue = null; else s.error = e;
  }
}

/** The chart reads at most this many runs of the last hour (newest first): more would slow every refresh. */
const MAX_RUNS = 5000;

/** Finished runs per minute and their mean fire lag (started_at − scheduled_for) over the last hour. */
async function loadSeries() {
  const now = Date.now();
  const start = now - 3600_000;
  const runs = [];
  let capped = false;
  for (let offset = 0; offset < MAX_RUNS; offset += 1000) {
    const page = await get(`/runs${query({ start_time: new Date(start).toISOString(), limit: 1000, offset })}`);
    runs.push(...page.items);
    if (!page.has_more) break;
    capped = offset + 1000 >= MAX_RUNS;
  }
  s.capped = capped;
  const minutes = Array.from({ length: 61 }, (_, i) => Math.floor(start / 60000) + i);
  const done = new Map(minutes.map(m => [m, 0]));
  const lag = new Map(minutes.map(m => [m, []]));
  for (const r of runs) {
    if (r.finished_at) {
      const m = Math.floor(new Date(r.finished_at).getTime() / 60000);
      if (done.has(m)) done.set(m, done.get(m) + 1);
    }
    if (r.started_at && r.scheduled_for && r.trigger === 'schedule') {
      const m = Math.floor(new Date(r.started_at).getTime() / 60000);
      if (lag.has(m)) lag.get(m).push(Math.max(0, new Date(r.started_at) - new Date(r.scheduled_for)) / 1000);
    }
  }
  const mean = xs => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  s.series = [minutes.map(m => m * 60), minutes.map(m => done.get(m)), minutes.map(m => mean(lag.get(m)))];
  s.runCount = runs.length;
}

async function refresh() {
  await Promise.all([loadQueue(), loadSeries().catch(e => { s.chartError = e; })]);
  s.updated = new Date().toISOString();
  update();
  requestAnimationFrame(drawChart);
}

function drawChart() {
  const host = document.getElementById('queue-chart');
  if (!host || !s.series) return;
  const width = Math.max(280, host.clientWidth);
  if (plot && plot.root.parentNode === host) {
    plot.setData(s.series);
    plot.setSize({ width, height: 260 });
    return;
  }
  plot?.destroy();
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const axis = { stroke: dark ? '#c9d1d9' : '#333', grid: { stroke: dark ? '#30363d' : '#e5e5e5' } };
  plot = new uPlot({
    width, height: 260,
    series: [{}, { label: 'runs finished / min', stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.15)', scale: 'n' },
      { label: 'mean fire lag (s)', stroke: '#d9822b', scale: 's', spanGaps: false }],
    axes: [{ ...axis }, { ...axis, scale: 'n', label: 'runs / min' }, { ...axis, scale: 's', side: 1, label: 'lag s', grid: { show: false } }],
  }, s.series, host);
}

export const queuePage = {
  async enter() {
    s.queue = undefined; s.series = null;
    clearInterval(timer);
    timer = setInterval(refresh, REFRESH_MS);
    await refresh();
  },
  leave() { clearInterval(timer); plot?.destroy(); plot = null; },
  view() {
    return html`
      <h1>Queue</h1>
      ${errorBox(s.error)}
      <section aria-labelledby="depth-h">
        <h2 id="depth-h">Depth, age and leases</h2>
        ${s.queue === undefined ? (s.error ? nothing : loading('the queue')) : s.queue === null
          ? html`<p class="notice" role="status" id="queue-unavailable">Queue details (GET /admin/queue) are not available on this node.</p>`
          : html`<div class="queue-details">${anyJson(s.queue)}</div>`}
      </section>
      <section aria-labelledby="chart-h">
        <h2 id="chart-h">Throughput and lag, last hour</h2>
        <p class="muted">From the runs recorded in the last hour${s.runCount !== undefined ? ` (${s.runCount})` : ''}: runs finished per minute, and the mean delay
          from a scheduled run's occurrence to its start. Refreshed every 10 s${s.updated ? `, last ${ago(s.updated)}` : ''}.</p>
        ${s.capped ? html`<p class="notice" id="chart-capped">More than ${MAX_RUNS.toLocaleString('en')} runs in the last hour: the chart counts only the newest ${MAX_RUNS.toLocaleString('en')}, so its earlier minutes are short.</p>` : nothing}
        ${errorBox(s.chartError)}
        <div id="queue-chart" class="chart" role="img" aria-label="Runs finished per minute and mean fire lag over the last hour"></div>
      </section>`;
  },
};
