import { Controller, Get, Inject, Param, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles, RolesGuard, rolesThatRead } from '@roadloop/auth';
import { readRawBody } from '@roadloop/http';
import { TASK_CONFIG, TaskConfig } from '../config';
import { PHOTO_HEADERS, sha256Of } from './photos.controller';
import { ReportPhotoService } from './report-photo.service';

/** Who may look at villagers' photos (the read policy's `reportPhotos`). */
export const REPORT_PHOTO_ROLES = rolesThatRead((v) => v.reportPhotos);

/**
 * Photos for villagers' reports. The upload takes no token: the gateway, the only public door,
 * limits it per client address (as it does the anonymous report itself); reading one needs a
 * staff token.
 */
@Controller('v1/report-photos')
export class ReportPhotosController {
  constructor(
    private readonly photos: ReportPhotoService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  @Put(':sha256')
  async upload(@Param('sha256') sha: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const sha256 = sha256Of(sha);
    const bytes = await readRawBody(req, res, { limitBytes: this.config.PHOTO_MAX_BYTES, tooLargeCode: 'PHOTO_TOO_LARGE', what: 'the photo' });
    const { photo, created } = await this.photos.upload({ sha256, contentType: req.headers['content-type'], bytes });
    res.status(created ? 201 : 200);
    return photo;
  }

  @Get(':sha256')
  @UseGuards(RolesGuard)
  @Roles(...REPORT_PHOTO_ROLES)
  async original(@Param('sha256') sha: string, @Res() res: Response) {
    const photo = await this.photos.read(sha256Of(sha), 'original');
    res.set({ ...PHOTO_HEADERS, 'content-type': photo.mediaType }).send(photo.bytes);
  }

  @Get(':sha256/thumbnail')
  @UseGuards(RolesGuard)
  @Roles(...REPORT_PHOTO_ROLES)
  async thumbnail(@Param('sha256') sha: string, @Res() res: Response) {
    const photo = await this.photos.read(sha256Of(sha), 'thumbnail');
    res.set({ ...PHOTO_HEADERS, 'content-type': photo.mediaType }).send(photo.bytes);
  }
}
