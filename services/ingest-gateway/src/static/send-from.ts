import type { Response } from 'express';

/**
 * Sends a file under `root` (a page's own folder); `send` refuses paths that leave it (`..`) and
 * dotfiles. A missing file is a 404 naming the path as the client asked for it (`shownAs`); a path
 * `send` refuses as malformed (a NUL byte) is a 400 naming it; its other refusals (a range past the
 * end, a failed precondition) keep their 4xx status. Only a file that cannot be read is a 500.
 */
export function sendFrom(root: string, path: string, res: Response, headers: Record<string, string>, shownAs = path): void {
  // A folder (`/map/vendor/`) names no file; `sendFile` would throw on the empty path.
  if (path === '') {
    res.status(404).json({ statusCode: 404, ...refusal(404, shownAs) });
    return;
  }
  res.sendFile(path, { root, dotfiles: 'deny', headers: { 'x-content-type-options': 'nosniff', ...headers } }, (err?: Error & { status?: number }) => {
    if (!err || res.headersSent) return;
    const status = err.status === 403 || err.status === 404 ? 404 : err.status !== undefined && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({ statusCode: status, ...refusal(status, shownAs) });
  });
}

function refusal(status: number, path: string): { error: string; message: string; fields?: { field: string; message: string }[] } {
  switch (status) {
    case 404:
      return { error: 'NOT_FOUND', message: `no file ${path}` };
    case 400:
      return { error: 'BAD_PATH', message: `the path ${JSON.stringify(path)} is not a file name`, fields: [{ field: 'path', message: 'not a file name (a NUL byte or a malformed escape)' }] };
    case 500:
      return { error: 'FILE_UNREADABLE', message: 'the file could not be read' };
    default:
      return { error: 'FILE_NOT_SENT', message: `the file ${JSON.stringify(path)} cannot be sent as asked (HTTP ${status})` };
  }
}

/** The `*path` wildcard of a route as one string. */
export function wildcardPath(params: unknown): string {
  const raw = (params as Record<string, string | string[] | undefined>).path ?? '';
  return Array.isArray(raw) ? raw.join('/') : raw;
}
