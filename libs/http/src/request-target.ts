import { AppError } from '@roadloop/core';

/** The origin-form request target of a request (RFC 9112 §3.2.1): a path and its query. */
export interface RequestTarget {
  /** Starts with exactly one `/`; never holds a dot segment or a backslash. */
  path: string;
  /** `?…` as sent, or empty. */
  query: string;
}

export class RequestTargetError extends AppError {
  constructor(message: string) {
    super('invalid', 'REQUEST_TARGET_NOT_ALLOWED', message, [{ field: 'path', message }]);
  }
}

/**
 * Reads a raw request target, refusing what would let a caller steer a request elsewhere once it
 * is resolved as a URL: absolute-form (`http://host/…`) and authority-like (`//host/…`) targets,
 * which pick a host, and dot segments — `..` and `.`, raw or percent-encoded (WHATWG URL resolves
 * `%2e%2e` as `..`) — and backslashes (`\` and `%5C`, which URL parsers read as `/`), which pick
 * another path. No route of Roadloop needs any of them.
 */
export function parseRequestTarget(raw: string): RequestTarget {
  if (!raw.startsWith('/') || raw.startsWith('//')) {
    throw new RequestTargetError('only a path starting with a single "/" is accepted as the request target (no absolute-form URL)');
  }
  const queryAt = raw.indexOf('?');
  const path = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const query = queryAt < 0 ? '' : raw.slice(queryAt);
  if (/\\|%5c/i.test(path)) throw new RequestTargetError('backslashes are not accepted in a path');
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new RequestTargetError('the path holds a malformed percent-encoding');
    }
    if (decoded === '.' || decoded === '..') throw new RequestTargetError('dot segments ("." and "..", also percent-encoded) are not accepted in a path');
  }
  return { path, query };
}

interface EdgeRequest {
  url: string;
}
interface EdgeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/**
 * Express middleware answering 400 (in the error shape of `AppErrorFilter`) to a request whose
 * target `parseRequestTarget` refuses, before any route sees it.
 */
export function requestTargetGuard(req: EdgeRequest, res: EdgeResponse, next: () => void): void {
  try {
    parseRequestTarget(req.url);
  } catch (err) {
    if (!(err instanceof RequestTargetError)) throw err;
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ statusCode: 400, error: err.code, message: err.message, fields: err.fields }));
    return;
  }
  next();
}
