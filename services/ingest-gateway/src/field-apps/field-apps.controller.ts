import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { dirname, join, resolve } from 'node:path';
import { sendFrom, wildcardPath } from '../static/send-from';

/** The field apps' own files, beside the map's (Leaflet comes from /map/vendor, the languages from /i18n). */
export const CREW_PUBLIC_DIR = resolve(__dirname, '..', '..', 'public', 'crew');
export const INSPECTOR_PUBLIC_DIR = resolve(__dirname, '..', '..', 'public', 'inspector');
/** idb's ES module build (IndexedDB with promises), served from the installed package like Leaflet. */
export const IDB_BUILD_DIR = join(dirname(require.resolve('idb/package.json')), 'build');

/**
 * Only this origin, as for the map, plus `blob:` images (photos fetched with the user's token and
 * shown from memory) and a service worker of the app's own (the crew app works offline).
 */
export const FIELD_APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const VENDOR_IDB = 'vendor/idb/';

/**
 * `GET /crew`: the road crew's app (an installable, offline-capable page: its tasks, the place, the
 * evidence); `GET /inspector`: the inspector's queue of submitted work. Static pages calling the API
 * with the user's token.
 */
@Controller()
export class FieldAppsController {
  /** The app lives at /crew/: its service worker's scope, which /crew is not inside. */
  @Get('crew')
  crewPage(@Req() req: Request, @Res() res: Response): void {
    if (req.path.endsWith('/')) return this.page(CREW_PUBLIC_DIR, 'crew', res);
    res.redirect(301, '/crew/');
  }

  @Get('crew/*path')
  crewFile(@Req() req: Request, @Res() res: Response): void {
    const path = wildcardPath(req.params);
    if (path === '' || path === 'index.html') return this.page(CREW_PUBLIC_DIR, 'crew', res);
    if (path.startsWith(VENDOR_IDB)) {
      return sendFrom(IDB_BUILD_DIR, path.slice(VENDOR_IDB.length), res, { 'cache-control': 'public, max-age=86400' }, `/crew/${path}`);
    }
    // The service worker's scope is /crew/, where it is served from.
    sendFrom(CREW_PUBLIC_DIR, path, res, { 'cache-control': 'no-cache' }, `/crew/${path}`);
  }

  @Get('inspector')
  inspectorPage(@Req() req: Request, @Res() res: Response): void {
    if (req.path.endsWith('/')) return this.page(INSPECTOR_PUBLIC_DIR, 'inspector', res);
    res.redirect(301, '/inspector/');
  }

  @Get('inspector/*path')
  inspectorFile(@Req() req: Request, @Res() res: Response): void {
    const path = wildcardPath(req.params);
    if (path === '' || path === 'index.html') return this.page(INSPECTOR_PUBLIC_DIR, 'inspector', res);
    sendFrom(INSPECTOR_PUBLIC_DIR, path, res, { 'cache-control': 'no-cache' }, `/inspector/${path}`);
  }

  private page(root: string, app: 'crew' | 'inspector', res: Response): void {
    sendFrom(root, 'index.html', res, {
      'content-security-policy': FIELD_APP_CONTENT_SECURITY_POLICY,
      // The crew app asks for the position and takes photos; the inspector's page needs neither.
      'permissions-policy': app === 'crew' ? 'geolocation=(self), camera=(self), microphone=()' : 'geolocation=(), camera=(), microphone=()',
      'cache-control': 'no-cache',
    });
  }
}
