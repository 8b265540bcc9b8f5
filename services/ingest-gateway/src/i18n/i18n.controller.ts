import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { resolve } from 'node:path';
import { sendFrom, wildcardPath } from '../static/send-from';

/** The pages' shared language module and each app's catalogues (`<app>.<lang>.json`). */
export const I18N_PUBLIC_DIR = resolve(__dirname, '..', '..', 'public', 'i18n');

/** `GET /i18n/*`: i18n.js and the catalogues, for every page the gateway serves. */
@Controller('i18n')
export class I18nController {
  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const path = wildcardPath(req.params);
    sendFrom(I18N_PUBLIC_DIR, path, res, { 'cache-control': 'no-cache' }, `/i18n/${path}`);
  }
}
