// Calls to the public API with the user's token. A route that is not there yet (404, 405, 501),
// that refuses the parameters (400, while a service is being upgraded) or whose service is down
// (502, 503) is "not available": the panel that needs it says so and the rest of the page works.

import { t } from '../i18n/i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  get unavailable() {
    return [400, 404, 405, 501, 502, 503, 504].includes(this.status) || this.status === 0;
  }
}

export function createApi(getToken, onUnauthorized) {
  async function call(method, path, { body, signal, raw = false } = {}) {
    let res;
    try {
      res = await fetch(path, {
        method,
        signal,
        headers: {
          accept: 'application/json, application/geo+json',
          authorization: `Bearer ${getToken()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, { message: t('api.unreachable') });
    }
    const text = await res.text();
    if (raw && res.ok) return text;
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (res.status === 401) onUnauthorized();
    if (!res.ok) throw new ApiError(res.status, parsed);
    return parsed;
  }
  return {
    get: (path, options) => call('GET', path, options),
    post: (path, body, options) => call('POST', path, { ...options, body }),
    /** The body as text (a CSV table), for a download. */
    text: (path, options) => call('GET', path, { ...options, raw: true }),
  };
}

/** A query string from the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
