// The console's shell: sign-in, navigation by the URL's fragment, confirmation dialogs, one render loop.
import { html, render, nothing } from '/console/lib/lit-html/lit-html.js';
import { session, get, post, whenUnauthorized, ApiError } from './api.js';
import { tasksPage } from './pages/tasks.js';
import { taskPage } from './pages/task.js';
import { playgroundPage } from './pages/playground.js';
import { runsPage } from './pages/runs.js';
import { queuePage } from './pages/queue.js';
import { clusterPage } from './pages/cluster.js';
import { agentsPage } from './pages/agents.js';

const PAGES = [
  { path: 'tasks', label: 'Tasks', page: tasksPage },
  { path: 'task', page: taskPage, hidden: true },
  { path: 'playground', label: 'Schedule playground', page: playgroundPage },
  { path: 'runs', label: 'Runs', page: runsPage },
  { path: 'queue', label: 'Queue', page: queuePage, admin: true },
  { path: 'cluster', label: 'Cluster', page: clusterPage, admin: true },
  { path: 'agents', label: 'Agents', page: agentsPage, admin: true },
];

const root = document.getElementById('app');
root.textContent = ''; // the static "Loading…" line; lit-html renders beside existing content, not over it
const state = { route: null, entry: null, dialog: null, menuOpen: false, signIn: { error: null, busy: false } };
let scheduled = false;

/** Re-renders on the next frame; pages call it after changing their state. */
export function update() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => { scheduled = false; render(view(), root); afterRender(); });
}

export function navigate(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

/**
 * A modal question; resolves to the chosen value (false when dismissed). With `acknowledge` it is a notice
 * with its one button: there is nothing to decline (a new secret, already made, shown once).
 */
export function ask({ title, message, confirm = 'Confirm', danger = false, body = null, choices = null, acknowledge = false }) {
  return new Promise(resolve => {
    state.dialog = { title, message, confirm, danger, body, choices, acknowledge, resolve };
    update();
  });
}

function closeDialog(value) {
  const dialog = state.dialog;
  state.dialog = null;
  root.querySelector('dialog')?.close();
  update();
  dialog?.resolve(value);
}

function afterRender() {
  const dialog = root.querySelector('dialog');
  if (dialog && !dialog.open) {
    dialog.showModal();
    dialog.querySelector('[autofocus]')?.focus();
  }
  // After moving to another page, keyboard and screen-reader users land on its content.
  if (state.focusPending && state.entry) {
    state.focusPending = false;
    root.querySelector('#main')?.focus({ preventScroll: true });
  }
}

export const me = () => session.get();

function currentRoute() {
  const [path, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const entry = PAGES.find(p => p.path === path) || PAGES[0];
  return { entry, params: rest.map(decodeURIComponent) };
}

async function route() {
  state.menuOpen = false;
  if (!session.get()) { state.entry = null; update(); return; }
  const { entry, params } = currentRoute();
  state.entry?.page.leave?.();
  state.entry = entry;
  state.focusPending = true;
  document.title = `${entry.label || 'Task'} · Ordinaut console`;
  update();
  if (entry.admin && !session.get().admin) return;
  await entry.page.enter?.(params);
  update();
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  state.signIn = { error: null, busy: true };
  update();
  try {
    let token = String(form.get('token') || '').trim();
    let refresh = null;
    const agentId = String(form.get('agent_id') || '').trim();
    const secret = String(form.get('agent_secret') || '').trim();
    if (!token && agentId && secret) {
      const pair = await post('/agents/auth/token', { agent_id: agentId, agent_secret: secret }, { token: null });
      token = pair.access_token;
      refresh = pair.refresh_token;
    }
    if (!token) throw new Error('Paste a token, or give an agent id and its secret.');
    // /health answers node details only to admins; the token is checked by a list the agent may read.
    const health = await get('/health', { token });
    const admin = Boolean(health && health.node);
    try { await get('/runs?limit=1', { token }); } catch (e) { if (e instanceof ApiError && e.status === 401) throw e; }
    session.set({ token, refresh, admin, agent: agentId || null, node: health?.node || null });
    state.signIn = { error: null, busy: false };
    if (!location.hash || location.hash === '#/') location.hash = '#/tasks'; else route();
  } catch (e) {
    state.signIn = { error: e instanceof ApiError && e.status === 401 ? 'That token or secret is not valid (unknown, expired or revoked).' : e.message, busy: false };
    update();
  }
}

export function signOut(message) {
  state.entry?.page.leave?.();
  // Tokens the console obtained itself (from an id and secret) are revoked; a pasted token is only forgotten.
  const issued = session.get();
  if (!message && issued?.refresh) post('/agents/auth/revoke', { token: issued.token }, { token: null }).catch(() => {});
  session.clear();
  state.entry = null;
  state.signIn = { error: message || null, busy: false };
  update();
}

whenUnauthorized(() => signOut('Your session has ended (the token expired or was revoked). Sign in again.'));

function signInView() {
  const s = state.signIn;
  return html`
    <main class="sign-in" id="main">
      <h1>Ordinaut console</h1>
      <p>Sign in with an agent's token. The console calls the REST API with it and sees exactly what that agent may see.
        The token stays in this tab's session storage and is forgotten when the tab closes.</p>
      <form @submit=${signIn} aria-describedby=${s.error ? 'sign-in-error' : nothing}>
        <label for="token">Bearer token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" autofocus
               placeholder="ord_at_… or the admin token">
        <details>
          <summary>Or an agent id and secret</summary>
          <label for="agent_id">Agent id</label>
          <input id="agent_id" name="agent_id" autocomplete="username" spellcheck="false">
          <label for="agent_secret">Agent secret</label>
          <input id="agent_secret" name="agent_secret" type="password" autocomplete="current-password">
        </details>
        ${s.error ? html`<p class="error" id="sign-in-error" role="alert">${s.error}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${s.busy}>${s.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`;
}

function dialogView() {
  const d = state.dialog;
  if (!d) return nothing;
  const choose = value => () => closeDialog(value);
  return html`
    <dialog aria-labelledby="dialog-title" @cancel=${e => { e.preventDefault(); closeDialog(false); }}>
      <h2 id="dialog-title">${d.title}</h2>
      ${d.message ? html`<p>${d.message}</p>` : nothing}
      ${d.body || nothing}
      <div class="actions">
        ${d.choices
          ? d.choices.map((c, i) => html`<button type="button" ?autofocus=${i === 0} @click=${choose(c.value)}>${c.label}</button>`)
          : html`<button type="button" class=${d.danger ? 'danger' : 'primary'} autofocus @click=${choose(true)}>${d.confirm}</button>`}
        ${d.confirm === null || d.acknowledge ? nothing : html`<button type="button" @click=${choose(false)}>${d.choices ? 'Cancel' : 'Keep as is'}</button>`}
      </div>
    </dialog>`;
}

function view() {
  const user = session.get();
  if (!user) return html`${signInView()}`;
  const current = state.entry;
  const links = PAGES.filter(p => !p.hidden && (!p.admin || user.admin));
  const active = current?.path === 'task' ? 'tasks' : current?.path;
  let content;
  if (!current) content = nothing;
  else if (current.admin && !user.admin) content = html`<h1>${current.label}</h1><p class="notice" role="status">This page is for admins. Sign in with an admin token to see it.</p>`;
  else content = current.page.view();
  return html`
    <a class="skip" href="#main" @click=${e => { e.preventDefault(); root.querySelector('#main')?.focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/tasks">Ordinaut</a>
      <button type="button" class="menu" aria-expanded=${state.menuOpen ? 'true' : 'false'} aria-controls="nav"
              @click=${() => { state.menuOpen = !state.menuOpen; update(); }}>Menu</button>
      <nav id="nav" aria-label="Console" class=${state.menuOpen ? 'open' : ''}>
        <ul>
          ${links.map(p => html`<li><a href="#/${p.path}" data-page=${p.path} aria-current=${p.path === active ? 'page' : 'false'}>${p.label}</a></li>`)}
        </ul>
      </nav>
      <div class="who">
        <span title=${user.admin ? 'admin scope: sees every agent\'s tasks and the cluster pages' : 'sees its own tasks and runs'}>
          ${user.admin ? 'Admin' : 'Agent'}${user.agent ? html` <code>${user.agent.slice(0, 8)}</code>` : nothing}${user.node ? html` · node ${user.node}` : nothing}</span>
        <button type="button" class="link" @click=${() => signOut()}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1" data-page=${current?.path || ''}>
      ${state.toast ? html`<p class="error" role="alert">${state.toast}
        <button type="button" class="link" @click=${() => { state.toast = null; update(); }}>Dismiss</button></p>` : nothing}
      ${content}</main>
    ${dialogView()}`;
}

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', e => {
  // A failed call that a page did not handle is shown, not left in the browser's console.
  e.preventDefault();
  state.toast = e.reason instanceof Error ? e.reason.message : String(e.reason);
  update();
});
route();
