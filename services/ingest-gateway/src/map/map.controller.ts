import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { dirname, join, resolve } from 'node:path';
import { riskLegend } from '@roadloop/geo';
import { sendFrom } from '../static/send-from';

/** The page's own files, in the source tree beside `src/` and `dist/` (nothing is copied at build time). */
export const MAP_PUBLIC_DIR = resolve(__dirname, '..', '..', 'public', 'map');
/** Leaflet's distribution files, served from the installed package (no CDN). */
export const LEAFLET_DIST_DIR = join(dirname(require.resolve('leaflet/package.json')), 'dist');

/**
 * Only the page's own origin: scripts, styles, the API and the live stream. There is no tile
 * server; images are Leaflet's own icons.
 */
export const MAP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const VENDOR_PREFIX = 'vendor/';

/** `GET /map`: the risk map, a static page that calls the public API with the user's token. */
@Controller('map')
export class MapController {
  @Get()
  page(@Res() res: Response): void {
    sendFrom(MAP_PUBLIC_DIR, 'index.html', res, { 'content-security-policy': MAP_CONTENT_SECURITY_POLICY, 'cache-control': 'no-cache' });
  }

  /** The risk model's levels (unit, bands, colours) and design ratings: the legend and colours.js read them, one source. */
  @Get('risk-model.json')
  riskModel(@Res() res: Response): void {
    res.set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).json(riskLegend());
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const raw = (req.params as Record<string, string | string[]>).path;
    const path = Array.isArray(raw) ? raw.join('/') : raw;
    if (path === '' || path === 'index.html') return this.page(res);
    if (path.startsWith(VENDOR_PREFIX)) {
      sendFrom(LEAFLET_DIST_DIR, path.slice(VENDOR_PREFIX.length), res, { 'cache-control': 'public, max-age=86400' }, `/map/${path}`);
    } else {
      sendFrom(MAP_PUBLIC_DIR, path, res, { 'cache-control': 'no-cache' }, `/map/${path}`);
    }
  }
}
