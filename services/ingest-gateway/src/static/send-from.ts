import type { Response } from 'express';

/**
 * Sends a file under `root` (a page's own folder); `send` refuses paths that leave it (`..`) and
 * dotfiles. A missing file is a 404 naming the path as the client asked for it (`shownAs`).
 */
export function sendFrom(root: string, path: string, res: Response, headers: Record<string, string>, shownAs = path): void {
  res.sendFile(path, { root, dotfiles: 'deny', headers: { 'x-content-type-options': 'nosniff', ...headers } }, (err?: Error & { status?: number }) => {
    if (!err || res.headersSent) return;
    const status = err.status === 403 || err.status === 404 ? 404 : 500;
    const found = status === 404 ? { error: 'NOT_FOUND', message: `no file ${shownAs}` } : { error: 'FILE_UNREADABLE', message: 'the file could not be read' };
    res.status(status).json({ statusCode: status, ...found });
  });
}

/** The `*path` wildcard of a route as one string. */
export function wildcardPath(params: unknown): string {
  const raw = (params as Record<string, string | string[] | undefined>).path ?? '';
  return Array.isArray(raw) ? raw.join('/') : raw;
}
