import { logContext } from '@roadloop/core';

/** One line per request, written when its answer is complete or the client went away. */
export interface AccessLogEntry {
  /** The fields below in one short line, e.g. `GET /v1/tasks 200 3.2 ms`. */
  message: string;
  method: string;
  /** The request's path without its query (a query may carry a token: `?access_token=`). */
  path: string;
  status: number;
  durationMs: number;
  /** The peer address (or the forwarded one, when Express is told to trust a proxy). */
  client: string | null;
  /** The authenticated caller, when a guard verified a token. */
  sub?: string;
  role?: string;
  /** The client closed the connection before the whole answer was sent. */
  aborted?: true;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
  /** Set by the roles guard of `@roadloop/auth`, read here by its shape (this library does not depend on auth). */
  principal?: { id?: unknown; role?: unknown };
}

interface LoggedResponse {
  statusCode: number;
  writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** Longest path or subject written, characters. */
const MAX_CHARS = 256;

/**
 * Express middleware calling `write` once per request with what an operator needs to trace abuse,
 * inside the request's log context (its correlation id).
 */
export function accessLog(write: (entry: AccessLogEntry) => void) {
  return (req: LoggedRequest, res: LoggedResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    // Read now: routers rewrite req.url while they route.
    const path = loggablePath(req.originalUrl ?? req.url ?? '');
    const method = req.method ?? '?';
    // The line carries the request's correlation id, although 'close' fires outside its context.
    const context = logContext.getStore() ?? {};
    // Read now as well: by 'close' the socket may be detached (a connection closed after the answer), and req.ip would throw.
    const client = req.ip ?? req.socket?.remoteAddress ?? null;
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const aborted = !res.writableFinished;
      const sub = typeof req.principal?.id === 'string' ? printable(req.principal.id) : undefined;
      const role = typeof req.principal?.role === 'string' ? printable(req.principal.role) : undefined;
      const who = sub ? ` ${sub}/${role ?? '?'}` : '';
      const entry: AccessLogEntry = {
        message: `${method} ${path} ${res.statusCode} ${durationMs} ms ${client ?? '-'}${who}${aborted ? ' aborted' : ''}`,
        method,
        path,
        status: res.statusCode,
        durationMs,
        client,
        ...(sub ? { sub, role } : {}),
        ...(aborted ? { aborted: true as const } : {}),
      };
      logContext.run(context, () => write(entry));
    });
    next();
  };
}

/** The path part of a request target, bounded and printable. */
function loggablePath(target: string): string {
  const queryAt = target.indexOf('?');
  return printable(queryAt < 0 ? target : target.slice(0, queryAt));
}

/** Control characters escaped (a line stays one line, whatever a caller sent), length bounded. */
function printable(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  return escaped.length > MAX_CHARS ? `${escaped.slice(0, MAX_CHARS)}…` : escaped;
}
