// Agents (admin): list, create, change scopes and budgets, rotate credentials (the secret shown once).
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { get, post, put } from '../api.js';
import { update, ask } from '../app.js';
import { errorBox, loading } from '../ui.js';

const BUILT_IN = ['tasks:create', 'tasks:read', 'tasks:update', 'tasks:delete', 'runs:read', 'runs:write',
  'events:publish', 'tools:read', 'tools:write', 'admin'];
const SYSTEM = '00000000-0000-0000-0000-000000000001';
const s = { agents: null, error: null, message: null, editing: null, formError: null };

async function load() {
  try { s.agents = (await get('/agents?limit=200')).items; s.error = null; } catch (e) { s.error = e; }
  update();
}

/** The request body from the agent form: name, scopes (checked + extra), budget. */
function body(form) {
  const data = new FormData(form);
  const extra = String(data.get('extra_scopes') || '').split(/[\s,]+/).filter(Boolean);
  const number = k => { const v = String(data.get(k) || '').trim(); return v ? Number(v) : null; };
  return {
    name: String(data.get('name')).trim(),
    scopes: [...data.getAll('scope').map(String), ...extra],
    budget: { api_calls_per_hour: number('api_calls_per_hour'), runs_per_day: number('runs_per_day') },
  };
}

async function save(e) {
  e.preventDefault();
  s.formError = null;
  try {
    if (s.editing === 'new') {
      const agent = await post('/agents', body(e.target));
      s.message = `Agent ${agent.name} created. Give it a secret with “Rotate credentials”.`;
    } else {
      const agent = await put(`/agents/${s.editing}`, body(e.target));
      s.message = `Agent ${agent.name} saved.`;
    }
    s.editing = null;
    load();
  } catch (err) { s.formError = err; update(); }
}

async function rotate(agent) {
  const yes = await ask({ title: `Rotate the credentials of ${agent.name}?`, danger: true, confirm: 'Rotate',
    message: 'A new secret is made and shown once. The old secret and every token the agent holds stop working at once.' });
  if (!yes) return;
  try {
    const answer = await post(`/agents/${agent.id}/credentials`);
    await ask({ title: `New secret for ${agent.name}`, confirm: 'I have stored it', acknowledge: true,
      message: 'Copy it now: it is shown only this once and only a hash is kept.',
      body: html`<dl class="facts"><dt>agent id</dt><dd><code>${answer.agent_id}</code></dd>
        <dt>agent secret</dt><dd><code class="secret" id="agent-secret">${answer.agent_secret}</code></dd></dl>
        <button type="button" class="small" @click=${() => navigator.clipboard?.writeText(answer.agent_secret)}>Copy secret</button>` });
  } catch (e) { s.error = e; update(); }
}

function form(agent) {
  const scopes = agent?.scopes || ['tasks:create', 'tasks:read', 'runs:read'];
  return html`<section class="card" aria-labelledby="agent-form-h">
    <h2 id="agent-form-h">${agent ? `Edit ${agent.name}` : 'New agent'}</h2>
    <form class="agent" @submit=${save}>
      <label for="agent-name">Name</label>
      <input id="agent-name" name="name" required maxlength="100" pattern="[\\p{L}\\p{Nd}][\\p{L}\\p{M}\\p{Nd} ._\\-]*" .value=${agent?.name || ''}>
      <fieldset><legend>Scopes</legend>
        ${BUILT_IN.map(sc => html`<label class="check"><input type="checkbox" name="scope" value=${sc} ?checked=${scopes.includes(sc)}> ${sc}</label>`)}
      </fieldset>
      <label for="agent-extra">Tool scopes (space or comma separated, e.g. crm:read)</label>
      <input id="agent-extra" name="extra_scopes" .value=${scopes.filter(sc => !BUILT_IN.includes(sc)).join(' ')}>
      <label for="agent-calls">API calls per hour (empty: unlimited)</label>
      <input id="agent-calls" name="api_calls_per_hour" type="number" min="1" .value=${agent?.budget?.api_calls_per_hour ?? ''}>
      <label for="agent-runs">Runs per day (empty: unlimited)</label>
      <input id="agent-runs" name="runs_per_day" type="number" min="1" .value=${agent?.budget?.runs_per_day ?? ''}>
      ${errorBox(s.formError)}
      <div class="actions"><button type="submit" class="primary">${agent ? 'Save' : 'Create agent'}</button>
        <button type="button" @click=${() => { s.editing = null; update(); }}>Cancel</button></div>
    </form></section>`;
}

export const agentsPage = {
  enter() { s.message = null; s.editing = null; return load(); },
  view() {
    const editing = s.editing && s.editing !== 'new' ? s.agents?.find(a => a.id === s.editing) : null;
    return html`
      <h1>Agents</h1>
      <p><button type="button" class="primary" @click=${() => { s.editing = 'new'; s.formError = null; update(); }}>New agent</button></p>
      ${s.message ? html`<p class="ok" role="status">${s.message}</p>` : nothing}
      ${errorBox(s.error)}
      ${s.editing ? form(editing) : nothing}
      ${s.agents === null ? (s.error ? nothing : loading('agents')) : html`<div class="scroll"><table class="agents">
        <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Budget</th><th scope="col">Id</th><th scope="col">Actions</th></tr></thead>
        <tbody>${s.agents.map(a => html`<tr>
          <td>${a.name}${a.id === SYSTEM ? html` <span class="muted">(system)</span>` : nothing}</td>
          <td>${a.scopes.map(sc => html`<span class="badge">${sc}</span> `)}</td>
          <td>${a.budget.api_calls_per_hour ?? '∞'} calls/h · ${a.budget.runs_per_day ?? '∞'} runs/day</td>
          <td><code>${a.id}</code></td>
          <td><div class="row-actions">
            <button type="button" class="small" @click=${() => { s.editing = a.id; s.formError = null; update(); }}>Edit</button>
            ${a.id === SYSTEM ? nothing : html`<button type="button" class="small" @click=${() => rotate(a)}>Rotate credentials</button>`}</div></td>
        </tr>`)}</tbody></table></div>`}`;
  },
};
