import { Controller, Inject, Put, Req, Res, UseGuards } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { Roles, RolesGuard } from '@roadloop/auth';
import { readRawBody } from '@roadloop/http';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { forwardedTarget } from '../forwarding/forwarded-routes';
import { RawBody, UpstreamClient } from '../upstream.client';

/**
 * `PUT /v1/tasks/{id}/photos/{sha256}`: a crew's photo upload, the image itself as the body. Read
 * here up to PHOTO_MAX_BYTES (a larger one is refused before it reaches the task service) and
 * passed on as bytes with its content type; the task service checks the digest, the format and
 * the crew. Registered before the forwarding of JSON task routes.
 */
@Controller('v1/tasks')
@UseGuards(RolesGuard)
export class PhotoUploadController {
  constructor(
    private readonly upstream: UpstreamClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Put(':id/photos/:sha256')
  @Roles('crew')
  async upload(@Req() req: Request, @Res() res: Response): Promise<void> {
    const target = forwardedTarget('task', req.originalUrl);
    const bytes = await readRawBody(req, res, { limitBytes: this.config.PHOTO_MAX_BYTES, tooLargeCode: 'PHOTO_TOO_LARGE', what: 'the photo' });
    const contentType = req.headers['content-type'] ?? 'application/octet-stream';
    const result = await this.upstream.relay('task', 'PUT', target, { body: new RawBody(bytes, contentType), headers: req.headers });
    res.status(result.status).set(result.headers);
    if (!result.body) {
      res.end();
      return;
    }
    await pipeline(result.body, res).catch(() => res.destroy());
  }
}
