// Schedule playground: an expression and a zone, the next 20 occurrences live, and a task made from them.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { post, ApiError } from '../api.js';
import { update, navigate } from '../app.js';
import { scheduleInWords, dstNotes, notesInWords, inZone, wallTime, viewerZone, shownJson } from '../words.js';
import { errorBox } from '../ui.js';

const KINDS = ['cron', 'rrule', 'once', 'interval'];
const EXAMPLES = { cron: '0 9 * * 1-5', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0', interval: 'PT15M',
  get once() { return `${new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10)}T09:00:00`; } };
const ZONES = (() => { try { return Intl.supportedValuesOf('timeZone'); } catch { return []; } })();
const DEFAULT_PIPELINE = [{ id: 'hello', uses: 'demo.echo', with: { text: 'Hello from ${params.who}' } }];

const s = {
  kind: 'cron', expr: EXAMPLES.cron, zone: viewerZone(), occurrences: [], problem: null, problemField: null, busy: false,
  form: null, createError: null,
};
let timer = null;
let asked = 0;

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(preview, 250);
}

async function preview() {
  const mine = ++asked;
  if (!s.expr.trim()) { s.occurrences = []; s.problem = 'Type an expression.'; s.problemField = 'schedule_expr'; update(); return; }
  s.busy = true; update();
  try {
    const answer = await post('/schedules/preview', { schedule_kind: s.kind, schedule_expr: s.expr, timezone: s.zone || 'UTC', count: 20 });
    if (mine !== asked) return;
    s.occurrences = answer.occurrences; s.problem = null; s.problemField = null;
  } catch (e) {
    if (mine !== asked) return;
    s.occurrences = [];
    s.problem = e instanceof ApiError ? e.message : String(e);
    s.problemField = e instanceof ApiError ? e.field || 'schedule_expr' : null;
  }
  s.busy = false;
  update();
}

function field(name) {
  return e => {
    if (name !== 'kind' && s[name] === e.target.value) return; // the change event after the input events
    s[name] = e.target.value;
    // An expression of one kind is hardly ever valid as another: a new kind starts from its example.
    if (name === 'kind') s.expr = EXAMPLES[s.kind];
    schedule();
  };
}

function openForm() {
  s.form = { title: '', description: '', params: { who: 'the console' }, pipeline: shownJson(DEFAULT_PIPELINE), priority: 5 };
  s.createError = null;
  update();
  queueMicrotask(() => document.getElementById('task-title')?.focus());
}

async function create(e) {
  e.preventDefault();
  const data = new FormData(e.target);
  s.createError = null;
  let pipeline, params;
  try { pipeline = JSON.parse(String(data.get('pipeline'))); } catch (err) { s.createError = `pipeline: not JSON (${err.message})`; update(); return; }
  try { params = JSON.parse(String(data.get('params') || '{}')); } catch (err) { s.createError = `params: not JSON (${err.message})`; update(); return; }
  try {
    const task = await post('/tasks', {
      title: String(data.get('title')), description: String(data.get('description') || ''),
      schedule_kind: s.kind, schedule_expr: s.expr, timezone: s.zone || 'UTC',
      priority: Number(data.get('priority') || 5), payload: { params, pipeline },
    });
    s.form = null;
    navigate(`#/task/${task.id}`);
  } catch (err) { s.createError = err; update(); }
}

const fieldError = name => s.problem && s.problemField === name;

export const playgroundPage = {
  enter() { if (!s.occurrences.length && !s.problem) preview(); },
  view() {
    const notes = dstNotes(s.kind, s.expr, s.occurrences, s.zone);
    const viewer = viewerZone();
    const exprInvalid = s.problem && (s.problemField === 'schedule_expr' || s.problemField === 'schedule_kind' || !['timezone'].includes(s.problemField));
    return html`
      <h1>Schedule playground</h1>
      <form class="playground" @submit=${e => { e.preventDefault(); preview(); }}>
        <label for="kind">Kind</label>
        <select id="kind" name="kind" @change=${field('kind')}>${KINDS.map(k => html`<option ?selected=${k === s.kind}>${k}</option>`)}</select>
        <label for="expr">Expression</label>
        <textarea id="expr" name="expr" rows="2" spellcheck="false" .value=${s.expr} @input=${field('expr')} @change=${field('expr')}
          aria-invalid=${exprInvalid ? 'true' : 'false'} aria-describedby="expr-help expr-error"></textarea>
        <p id="expr-help" class="muted">${{ cron: 'Five fields: minute hour day-of-month month day-of-week (e.g. 30 2 * * *).',
          rrule: 'An RFC 5545 rule, e.g. FREQ=DAILY;BYHOUR=2;BYMINUTE=30, or DTSTART/RRULE/EXDATE lines.',
          once: 'An instant: 2026-12-24T18:00:00 (in the zone) or with an offset.',
          interval: 'An ISO-8601 duration: PT30S, PT5M, P1D.' }[s.kind]}</p>
        <p id="expr-error" class="field-error" role="alert">${exprInvalid ? s.problem : ''}</p>
        <label for="zone">Time zone</label>
        <input id="zone" name="zone" list="zones" .value=${s.zone} @input=${field('zone')} @change=${field('zone')} spellcheck="false"
          aria-invalid=${fieldError('timezone') ? 'true' : 'false'} aria-describedby="zone-error">
        <datalist id="zones">${ZONES.map(z => html`<option value=${z}></option>`)}</datalist>
        <p id="zone-error" class="field-error" role="alert">${fieldError('timezone') ? s.problem : ''}</p>
      </form>
      <section aria-labelledby="occ-h" aria-live="polite" aria-busy=${s.busy ? 'true' : 'false'}>
        <h2 id="occ-h">Next 20 occurrences</h2>
        ${s.problem ? nothing : html`<p class="schedule-words"><strong>${scheduleInWords(s.kind, s.expr, s.zone)}</strong></p>`}
        ${notes.size ? html`<p class="notice">Daylight saving: ${notesInWords(notes)}.</p>` : nothing}
        ${!s.problem && !s.busy && !s.occurrences.length ? html`<p class="notice" id="no-occurrences">${s.kind === 'once'
          ? `That instant is in the past (in ${s.zone || 'UTC'}): a once schedule fires only at a future instant.`
          : 'This schedule fires no more.'}</p>` : nothing}
        <ol class="occurrences" id="occurrences">${s.occurrences.map(o => html`<li class=${notes.has(o) ? 'dst' : ''}>
          <time datetime=${o}>${wallTime(o, true)}</time>
          ${viewer !== s.zone ? html`<span class="muted">· ${inZone(o, viewer)} yours</span>` : nothing}
          ${notes.has(o) ? html`<span class="note">⚠ ${notes.get(o)}</span>` : nothing}</li>`)}</ol>
        <button type="button" class="primary" id="create-from" ?disabled=${!!s.problem || !s.occurrences.length}
          @click=${openForm}>Create a task from this</button>
      </section>
      ${s.form ? html`
        <section aria-labelledby="create-h" class="card">
          <h2 id="create-h">New task</h2>
          <form class="create" @submit=${create}>
            <p class="muted">Schedule: <code>${s.kind}: ${s.expr}</code> in ${s.zone}</p>
            <label for="task-title">Title</label>
            <input id="task-title" name="title" required maxlength="200" .value=${s.form.title}>
            <label for="task-description">Description</label>
            <input id="task-description" name="description" maxlength="2000">
            <label for="task-priority">Priority (1 highest … 9)</label>
            <input id="task-priority" name="priority" type="number" min="1" max="9" value="5">
            <label for="task-params">params (JSON)</label>
            <textarea id="task-params" name="params" rows="3" spellcheck="false" .value=${shownJson(s.form.params)}></textarea>
            <label for="task-pipeline">pipeline (JSON: steps with id, uses, with, if)</label>
            <textarea id="task-pipeline" name="pipeline" rows="8" spellcheck="false" .value=${s.form.pipeline}></textarea>
            ${errorBox(s.createError)}
            <div class="actions"><button type="submit" class="primary">Create task</button>
              <button type="button" @click=${() => { s.form = null; update(); }}>Cancel</button></div>
          </form>
        </section>` : nothing}`;
  },
};
