// Task actions with a confirmation each, shared by the Tasks and Task pages.
import { html } from '/console/lib/lit-html/lit-html.js';
import { post } from '../api.js';
import { ask } from '../app.js';

const SNOOZES = [
  { label: '15 minutes', value: 900 }, { label: '1 hour', value: 3600 },
  { label: '1 day', value: 86400 }, { label: '1 week', value: 604800 },
];

/** The actions a task in this status allows. */
export function actionsFor(task) {
  const s = task.status;
  return [
    s === 'active' && 'pause', s === 'paused' && 'resume', s !== 'canceled' && 'run_now',
    s === 'active' && task.next_run_at && 'snooze', s !== 'canceled' && 'cancel',
  ].filter(Boolean);
}

const LABELS = { pause: 'Pause', resume: 'Resume', run_now: 'Run now', snooze: 'Snooze', cancel: 'Cancel task' };

/** Asks, then performs; resolves to the API's answer, or null when the user said no. */
export async function perform(action, task) {
  const name = `“${task.title}”`;
  if (action === 'snooze') {
    const delay = await ask({ title: `Snooze ${name}`, message: 'Push its next occurrence back by:', choices: SNOOZES });
    return delay ? post(`/tasks/${task.id}/snooze`, { delay_seconds: delay, reason: 'snoozed from the console' }) : null;
  }
  const questions = {
    pause: ['Pause it? No occurrence runs until it is resumed; queued scheduled runs are dropped.', 'Pause'],
    resume: ['Resume it? It fires again from now on; missed occurrences are not replayed.', 'Resume'],
    run_now: ['Queue a run of it now?', 'Run now'],
    cancel: ['Cancel it for good? Queued runs are dropped; its history stays readable. This cannot be undone.', 'Cancel task'],
  };
  const [message, confirm] = questions[action];
  const yes = await ask({ title: `${LABELS[action]} ${name}`, message, confirm, danger: action === 'cancel' });
  return yes ? post(`/tasks/${task.id}/${action}`) : null;
}

export const actionButtons = (task, onDone, onError) => html`<div class="row-actions">${actionsFor(task).map(a => html`
  <button type="button" class=${a === 'cancel' ? 'danger small' : 'small'} data-action=${a}
          aria-label=${`${LABELS[a]} ${task.title}`}
          @click=${async () => { try { const r = await perform(a, task); if (r) onDone(r, a); } catch (e) { onError(e); } }}>${LABELS[a]}</button>`)}</div>`;
