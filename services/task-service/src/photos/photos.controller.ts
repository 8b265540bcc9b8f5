import { Controller, Get, Inject, Param, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, Principal, ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { parseOrThrow, readRawBody } from '@roadloop/http';
import { TASK_CONFIG, TaskConfig } from '../config';
import { taskIdOf } from '../http-input';
import { PhotoService } from './photo.service';

/** A SHA-256 digest in a path: 64 hexadecimal characters, upper case accepted. */
export const sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 digest: 64 hexadecimal characters')
  .transform((h) => h.toLowerCase());
export const sha256Of = (value: unknown): string => parseOrThrow(z.object({ sha256: sha256Schema }), { sha256: value }, 'path').sha256;

/** Content-addressed photos are immutable; private: they are served to signed-in users only. */
export const PHOTO_HEADERS = {
  'cache-control': 'private, max-age=31536000, immutable',
  // A photo is shown, never run: no script or plugin even if a browser took it for a page.
  'content-security-policy': "default-src 'none'; sandbox",
};

/**
 * The evidence store's routes. An upload is the photo's bytes as the body of
 * `PUT /v1/tasks/{id}/photos/{sha256}` (not multipart): the digest in the path makes a repeated
 * upload (a phone retrying after a lost answer) the same upload, and the server checks it.
 */
@Controller('v1/tasks/:id/photos')
@UseGuards(RolesGuard)
export class PhotosController {
  constructor(
    private readonly photos: PhotoService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  @Put(':sha256')
  @Roles('crew')
  async upload(@Param('id') id: string, @Param('sha256') sha: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentPrincipal() p: Principal) {
    const [taskId, sha256] = [taskIdOf(id), sha256Of(sha)];
    const bytes = await readRawBody(req, res, { limitBytes: this.config.PHOTO_MAX_BYTES, tooLargeCode: 'PHOTO_TOO_LARGE', what: 'the photo' });
    const { photo, created } = await this.photos.upload({ taskId, sha256, contentType: req.headers['content-type'], bytes }, p);
    res.status(created ? 201 : 200);
    return photo;
  }

  @Get()
  @Roles(...ROLES)
  list(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.photos.list(taskIdOf(id), p);
  }

  @Get(':sha256')
  @Roles(...ROLES)
  async original(@Param('id') id: string, @Param('sha256') sha: string, @Res() res: Response, @CurrentPrincipal() p: Principal) {
    const photo = await this.photos.read(taskIdOf(id), sha256Of(sha), 'original', p);
    res.set({ ...PHOTO_HEADERS, 'content-type': photo.mediaType }).send(photo.bytes);
  }

  @Get(':sha256/thumbnail')
  @Roles(...ROLES)
  async thumbnail(@Param('id') id: string, @Param('sha256') sha: string, @Res() res: Response, @CurrentPrincipal() p: Principal) {
    const photo = await this.photos.read(taskIdOf(id), sha256Of(sha), 'thumbnail', p);
    res.set({ ...PHOTO_HEADERS, 'content-type': photo.mediaType }).send(photo.bytes);
  }
}
