// The REST API with the signed-in token. Every call of the console goes through here.

const KEY = 'ordinaut.console.session';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.field = body && body.details ? body.details.field : undefined;
  }
}

export const session = {
  // Session storage: gone when the tab closes, never sent by the browser on its own, never in a URL.
  get() {
    try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; }
  },
  set(value) { sessionStorage.setItem(KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(KEY); },
};

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

/**
 * A session that signed in with an agent id and secret holds a refresh token: an expired access token is
 * renewed once (POST /agents/auth/refresh) and the call repeated. Concurrent calls share one renewal.
 */
let renewing = null;
async function renew() {
  const current = session.get();
  if (!current?.refresh) return false;
  renewing ??= call('POST', '/agents/auth/refresh', { refresh_token: current.refresh }, { token: null })
    .then(pair => { session.set({ ...current, token: pair.access_token, refresh: pair.refresh_token }); return true; })
    .catch(() => false)
    .finally(() => { renewing = null; });
  return renewing;
}

export async function call(method, path, body, { token, signal, retried = false } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token === undefined ? session.get()?.token : token;
  // Signed out while a page was still loading: its remaining calls are not sent (each would be a 401).
  if (token === undefined && !bearer) throw new ApiError(401, { message: 'Signed out' });
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  const text = await response.text();
  let json = null;
  // A body that is not JSON is not the API's: a proxy's error page (nginx's 502), a gateway's text. Its
  // source means nothing to a reader, so an error says its status instead.
  try { json = text ? JSON.parse(text) : null; } catch {
    json = { message: response.ok ? text : `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  }
  if (!response.ok) {
    // Only a 401 for the session still signed in ends it: a call left over from a session that has since
    // signed out (a page still loading when its user left) must not sign out the next one.
    if (response.status === 401 && token === undefined && bearer && session.get()?.token === bearer) {
      if (!retried && await renew()) return call(method, path, body, { signal, retried: true });
      if (session.get()?.token === bearer) onUnauthorized();
    }
    throw new ApiError(response.status, json);
  }
  return json;
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body, opts);
export const put = (path, body, opts) => call('PUT', path, body, opts);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// GET /events/stream as Server-Sent Events. EventSource cannot send an Authorization header, so this
// reads the stream with fetch and parses the event format itself. Resolves when the stream ends.
export async function stream(path, onEvent, signal) {
  const response = await fetch(path, {
    headers: { Accept: 'text/event-stream', Authorization: `Bearer ${session.get()?.token}` },
    signal, credentials: 'omit', cache: 'no-store',
  });
  if (!response.ok || !response.body) throw new ApiError(response.status, null);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { type: 'message', data: '', id: null };
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.type = val;
        else if (field === 'data') event.data += (event.data ? '\n' : '') + val;
        else if (field === 'id') event.id = val;
      }
      if (event.data) onEvent(event);
    }
  }
}
