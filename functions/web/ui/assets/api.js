// The API client. The bearer token lives in this module's memory only: never in
// localStorage, sessionStorage, cookies or the URL.

const base = ''; // the API is on the page's own origin (the web function alone forwards it)
let token = '';

/** An error answered by the API as a problem (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function setToken(t) { token = t || ''; }
export function signedIn() { return token !== ''; }

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

/**
 * fetch, whose network failure ("Failed to fetch", "NetworkError…", as each browser words
 * it) says what happened in the page's words; an abort stays an abort.
 */
async function reach(url, init) {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new Error('The server could not be reached, so this may not have been saved: try again once the connection is back.', { cause: err });
  }
}

async function fail(res) {
  let problem = null;
  try { problem = await res.json(); } catch { /* not JSON */ }
  return new ApiError(res.status, problem);
}

/** Sends a JSON request and returns the decoded answer (null for 204). */
export async function request(method, path, body, extra = {}, { keepalive = false } = {}) {
  const init = { method, headers: headers(extra), keepalive };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  }
  const res = await reach(base + path, init);
  if (!res.ok) throw await fail(res);
  if (res.status === 204) return null;
  const data = await res.json();
  const etag = res.headers.get('ETag');
  if (etag && data && typeof data === 'object') Object.defineProperty(data, 'etag', { value: etag });
  return data;
}

/** Sends a request as it is (init as for fetch, with the token added) and returns the response; an HTTP error throws. */
export async function send(method, path, init = {}) {
  const res = await reach(base + path, { ...init, method, headers: headers(init.headers) });
  if (!res.ok) throw await fail(res);
  return res;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

/**
 * Opens a Server-Sent Events response with fetch (EventSource cannot send the bearer
 * token) and calls onEvent({id, event, data}) for each message. Resolves when the stream
 * ends; rejects on an HTTP error (ApiError) or a network error.
 */
export async function stream(method, path, { body, headers: extra = {}, signal, onEvent, onOpen } = {}) {
  const init = { method, headers: headers({ ...extra, Accept: 'text/event-stream' }), signal, cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await reach(base + path, init);
  if (!res.ok) throw await fail(res);
  onOpen?.(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let msg = { id: null, event: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (msg.data.length) onEvent({ id: msg.id, event: msg.event, data: msg.data.join('\n') });
        msg = { id: null, event: 'message', data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'data') msg.data.push(val);
      else if (field === 'event') msg.event = val;
      else if (field === 'id') msg.id = val;
    }
  }
}
