// Task: its schedule previewed as a list and a calendar with DST shifts, its pipeline, its recent runs.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get } from '../api.js';
import { update } from '../app.js';
import { scheduleInWords, dstNotes, notesInWords, inZone, wallTime, viewerZone, duration, ago, shownJson } from '../words.js';
import { badge, errorBox, loading } from '../ui.js';
import { actionButtons } from './actions.js';
import { calendar, monthsOf } from './calendar.js';

const s = { id: null, task: null, preview: [], runs: [], error: null, message: null, month: 0 };

async function load(id) {
  s.error = null;
  try {
    s.task = await get(`/tasks/${encodeURIComponent(id)}`);
    update();
    const [preview, runs] = await Promise.all([
      s.task.schedule_kind === 'event' || s.task.status === 'canceled' ? { occurrences: [] }
        : get(`/tasks/${s.task.id}/preview?count=100`).catch(e => ({ occurrences: [], error: e })),
      get(`/tasks/${s.task.id}/runs?limit=20&include_errors=true`).catch(() => ({ items: [] })),
    ]);
    s.preview = preview.occurrences || [];
    s.runs = runs.items;
  } catch (e) { s.error = e; }
  update();
}

function step(st, i) {
  const extras = Object.entries(st).filter(([k]) => !['id', 'uses', 'with', 'if'].includes(k));
  return html`<li class="step">
    <div><span class="muted">${i + 1}.</span> <strong>${st.id}</strong> uses <code>${st.uses}</code></div>
    ${st.if ? html`<div>only if <code>${st.if}</code></div>` : nothing}
    ${st.with && Object.keys(st.with).length ? html`<details><summary>with</summary><pre>${shownJson(st.with)}</pre></details>` : nothing}
    ${extras.length ? html`<div class="muted">${extras.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(' · ')}</div>` : nothing}
  </li>`;
}

export const taskPage = {
  enter([id]) { if (s.id !== id) { s.task = null; s.month = 0; } s.id = id; s.message = null; return load(id); },
  view() {
    const t = s.task;
    if (s.error && !t) return html`<h1>Task</h1>${errorBox(s.error)}<p><a href="#/tasks">Back to tasks</a></p>`;
    if (!t) return loading('the task');
    const notes = dstNotes(t.schedule_kind, t.schedule_expr, s.preview, t.timezone);
    const months = monthsOf(s.preview);
    const month = months[Math.min(s.month, months.length - 1)];
    const viewer = viewerZone();
    const pipeline = t.payload?.pipeline || [];
    return html`
      <p class="crumbs"><a href="#/tasks">Tasks</a> ›</p>
      <h1>${t.title} ${badge(t.status)}</h1>
      ${t.description ? html`<p>${t.description}</p>` : nothing}
      <p class="schedule-words"><strong>${scheduleInWords(t.schedule_kind, t.schedule_expr, t.timezone)}</strong>
        <code class="muted">${t.schedule_kind}: ${t.schedule_expr}</code></p>
      ${actionButtons(t, r => { s.message = r.message; load(t.id); }, e => { s.error = e; update(); })}
      ${s.message ? html`<p class="ok" role="status">${s.message}</p>` : nothing}
      ${errorBox(s.error)}
      <div class="columns">
        <section aria-labelledby="preview-h">
          <h2 id="preview-h">Next occurrences</h2>
          ${t.status === 'paused' ? html`<p class="notice">Paused: these fire only once the task is resumed (from then on).</p>` : nothing}
          ${s.preview.length === 0 ? html`<p class="muted">None planned.</p>` : html`
            <ol class="occurrences">${s.preview.slice(0, 20).map(o => html`<li class=${notes.has(o) ? 'dst' : ''}>
              <time datetime=${o}>${wallTime(o, true)}</time>
              ${viewer !== t.timezone ? html`<span class="muted">· ${inZone(o, viewer)} (${viewer})</span>` : nothing}
              ${notes.has(o) ? html`<span class="note">⚠ ${notes.get(o)}</span>` : nothing}</li>`)}</ol>
            ${notes.size ? html`<p class="notice">Daylight-saving shifts in the next ${s.preview.length} occurrences:
              ${notesInWords(notes)}.</p>` : nothing}`}
        </section>
        <section aria-labelledby="calendar-h">
          <h2 id="calendar-h">Calendar <span class="muted">(${t.timezone})</span></h2>
          ${month ? html`
            <div class="month-nav">
              <button type="button" class="small" ?disabled=${s.month === 0} @click=${() => { s.month--; update(); }}>‹ Earlier</button>
              <button type="button" class="small" ?disabled=${s.month >= months.length - 1} @click=${() => { s.month++; update(); }}>Later ›</button>
            </div>
            ${calendar(month[0], month[1], s.preview, notes)}` : html`<p class="muted">Nothing to show.</p>`}
        </section>
      </div>
      <section aria-labelledby="pipeline-h">
        <h2 id="pipeline-h">Pipeline</h2>
        ${pipeline.length ? html`<ol class="pipeline">${pipeline.map(step)}</ol>` : html`<p class="muted">No steps.</p>`}
        ${t.payload?.params ? html`<details><summary>params</summary><pre>${shownJson(t.payload.params)}</pre></details>` : nothing}
      </section>
      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Recent runs <a class="small" href="#/runs/${t.id}">all runs</a></h2>
        ${s.runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : html`<div class="scroll"><table>
          <thead><tr><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Scheduled for</th><th scope="col">Duration</th><th scope="col">Error</th></tr></thead>
          <tbody>${s.runs.map(r => html`<tr>
            <td>${badge(r.status)}</td><td>${r.trigger}</td>
            <td><a href="#/runs/${t.id}/${r.id}">${inZone(r.scheduled_for, t.timezone)}</a> <span class="muted">${ago(r.scheduled_for)}</span></td>
            <td>${duration(r.duration_ms)}</td><td class="error-text">${r.error || ''}</td></tr>`)}</tbody></table></div>`}
      </section>
      <details class="raw"><summary>All fields</summary><pre>${shownJson(t)}</pre></details>`;
  },
};

