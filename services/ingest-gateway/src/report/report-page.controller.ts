import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { resolve } from 'node:path';
import { FIELD_APP_CONTENT_SECURITY_POLICY } from '../field-apps/field-apps.controller';
import { sendFrom, wildcardPath } from '../static/send-from';

/** The villagers' page's own files (Leaflet comes from /map/vendor, the languages from /i18n). */
export const REPORT_PUBLIC_DIR = resolve(__dirname, '..', '..', 'public', 'report');

/** The pages of the app, each under the field apps' policy: only this origin, no inline code, the chosen photo shown from its blob. */
const PAGES: Record<string, string> = { '': 'index.html', 'index.html': 'index.html', track: 'track.html', 'track.html': 'track.html' };

/**
 * `GET /report`: a villager reports a hazard (no account) and gets a tracking code;
 * `GET /report/track#code=…` follows it. Static pages calling POST /v1/hazards and
 * GET /v1/hazards/{id}/status.
 */
@Controller('report')
export class ReportPageController {
  @Get()
  page(@Res() res: Response): void {
    this.send('index.html', res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const path = wildcardPath(req.params);
    const page = PAGES[path];
    if (page) return this.send(page, res);
    sendFrom(REPORT_PUBLIC_DIR, path, res, { 'cache-control': 'no-cache' }, `/report/${path}`);
  }

  private send(page: string, res: Response): void {
    // Geolocation and the camera (the photo's capture) are this page's to ask for; the rest is not.
    sendFrom(REPORT_PUBLIC_DIR, page, res, {
      'content-security-policy': FIELD_APP_CONTENT_SECURITY_POLICY,
      'permissions-policy': 'geolocation=(self), camera=(self), microphone=()',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
  }
}
