// Small view pieces the pages share.
import { html, nothing } from '/console/lib/lit-html/lit-html.js';
import { ApiError } from './api.js';

export const badge = status => html`<span class="badge status-${status || 'none'}">${status || '—'}</span>`;

export const errorBox = error => error
  ? html`<p class="error" role="alert">${error instanceof ApiError ? `${error.message}${error.status && !error.message.startsWith('HTTP ') ? ` (HTTP ${error.status})` : ''}` : String(error.message || error)}</p>`
  : nothing;

export const loading = what => html`<p class="loading" role="status">Loading ${what}…</p>`;

/** Runs fn for each item with at most `width` calls at a time (agents have a per-second burst limit). */
export async function eachLimited(items, width, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, async () => {
    while (queue.length) await fn(queue.shift());
  }));
}

/** A definition list of a flat object; nested values as JSON. */
export const facts = (object, skip = []) => html`<dl class="facts">${Object.entries(object || {})
  .filter(([k]) => !skip.includes(k))
  .map(([k, v]) => html`<dt>${k.replaceAll('_', ' ')}</dt><dd>${v === null || v === undefined ? '—' : typeof v === 'object' ? html`<code>${JSON.stringify(v)}</code>` : String(v)}</dd>`)}</dl>`;

/** Any JSON value as tables: arrays of objects as rows, objects of scalars as two columns. */
export function anyJson(value, caption) {
  if (Array.isArray(value)) {
    if (!value.length) return html`<p class="muted">${caption ? `${caption}: ` : ''}none</p>`;
    if (value.every(v => v && typeof v === 'object' && !Array.isArray(v))) {
      const cols = [...new Set(value.flatMap(Object.keys))];
      return html`<div class="scroll"><table>${caption ? html`<caption>${caption}</caption>` : nothing}
        <thead><tr>${cols.map(c => html`<th scope="col">${c.replaceAll('_', ' ')}</th>`)}</tr></thead>
        <tbody>${value.map(row => html`<tr>${cols.map(c => html`<td>${cell(row[c])}</td>`)}</tr>`)}</tbody></table></div>`;
    }
    return html`<p>${caption ? html`<strong>${caption}:</strong> ` : nothing}${value.map(cell).join(', ')}</p>`;
  }
  if (value && typeof value === 'object') {
    const scalars = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(value).filter(([, v]) => v !== null && typeof v === 'object');
    return html`${caption ? html`<h3>${caption.replaceAll('_', ' ')}</h3>` : nothing}
      ${scalars.length ? facts(Object.fromEntries(scalars)) : nothing}
      ${nested.map(([k, v]) => anyJson(v, k))}`;
  }
  return html`<p>${caption ? html`<strong>${caption}:</strong> ` : nothing}${cell(value)}</p>`;
}

const cell = v => v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
