import { Controller, Inject, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { readRawBody } from '@roadloop/http';
import { ClientAddressRateLimitGuard, RateBudget } from '@roadloop/persistence';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { forwardedTarget } from '../forwarding/forwarded-routes';
import { OptionalPrincipalGuard } from '../hazards/optional-principal.guard';
import { RawBody, UpstreamClient } from '../upstream.client';

/** The rate budget of anonymous report photos (REPORT_PHOTO_RATE_LIMIT per REPORT_PHOTO_RATE_WINDOW_S), apart from reports'. */
export const REPORT_PHOTO_BUDGET = 'report-photos';

/**
 * `PUT /v1/report-photos/{sha256}`: a villager's photo for a report, no account, the image itself
 * as the body. Limited per client address with a budget of its own (signed-in callers are not
 * counted, a bad token is a 401), read here up to PHOTO_MAX_BYTES and passed on as bytes to the
 * task service, which checks and keeps it. The answer adds `url`, the photo's absolute address, for
 * the report's `photoUrls`; the photo itself is then served to staff only.
 */
@Controller('v1/report-photos')
export class ReportPhotoUploadController {
  constructor(
    private readonly upstream: UpstreamClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Put(':sha256')
  @UseGuards(OptionalPrincipalGuard, ClientAddressRateLimitGuard)
  @RateBudget(REPORT_PHOTO_BUDGET)
  async upload(@Req() req: Request, @Res() res: Response): Promise<void> {
    const target = forwardedTarget('task', req.originalUrl);
    const bytes = await readRawBody(req, res, { limitBytes: this.config.PHOTO_MAX_BYTES, tooLargeCode: 'PHOTO_TOO_LARGE', what: 'the photo' });
    const contentType = req.headers['content-type'] ?? 'application/octet-stream';
    const correlation = req.headers['x-correlation-id'];
    const answer = await this.upstream.forward('task', 'PUT', target, {
      body: new RawBody(bytes, contentType),
      headers: typeof correlation === 'string' ? { 'x-correlation-id': correlation } : {},
    });
    const href = (answer.body as { href?: unknown } | null)?.href;
    if (answer.status < 300 && typeof href === 'string') {
      res.status(answer.status).json({ ...(answer.body as object), url: this.absolute(req, href) });
      return;
    }
    res.status(answer.status).type(answer.contentType).send(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  }

  /** The photo's address as the client reached the gateway (its Host), else the gateway's own. */
  private absolute(req: Request, href: string): string {
    try {
      const host = req.get('host');
      if (host) {
        const url = new URL(href, `${req.protocol}://${host}`);
        if (url.pathname === href) return url.href;
      }
    } catch {
      // A Host that makes no URL: the gateway's own address instead.
    }
    const host = this.config.HTTP_HOST.includes(':') ? `[${this.config.HTTP_HOST}]` : this.config.HTTP_HOST;
    return new URL(href, `http://${host}:${this.config.HTTP_PORT}`).href;
  }
}
