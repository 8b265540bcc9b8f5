import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AUTH_OPTIONS, AuthOptions, bearerToken, verifyToken } from '@roadloop/auth';
import { AppError } from '@roadloop/http';
import { LiveFeedService } from './live-feed.service';

/**
 * The token of a live request: the Authorization header, or `?access_token=` because a browser's
 * EventSource cannot send headers (RFC 6750 §2.3, the URI query parameter).
 */
export function liveToken(req: Pick<Request, 'headers' | 'query'>): string {
  if (req.headers.authorization !== undefined) return bearerToken(req.headers.authorization);
  const fromQuery = req.query.access_token;
  return bearerToken(typeof fromQuery === 'string' ? `Bearer ${fromQuery}` : undefined);
}

export class LiveFullError extends AppError {
  constructor() {
    super('unavailable', 'LIVE_FULL', 'too many live clients; try again later');
  }
}

/** `GET /v1/live`: risk and task changes as Server-Sent Events, for any signed-in role. */
@Controller('v1/live')
export class LiveController {
  constructor(
    private readonly feed: LiveFeedService,
    @Inject(AUTH_OPTIONS) private readonly auth: AuthOptions,
  ) {}

  @Get()
  stream(@Req() req: Request, @Res() res: Response): void {
    verifyToken(liveToken(req), this.auth);
    const hub = this.feed.hub;
    if (hub.full) throw new LiveFullError();
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    // EventSource waits this long before reconnecting, ms.
    res.write('retry: 3000\n\n');
    hub.add(res);
    res.on('close', () => hub.remove(res));
  }
}
