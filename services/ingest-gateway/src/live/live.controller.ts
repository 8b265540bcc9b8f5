import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { AUTH_OPTIONS, AuthOptions, Principal, bearerToken, verifyToken } from '@roadloop/auth';
import { AppError } from '@roadloop/core';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { liveEventVisibleTo } from './live-events';
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

export class LiveStreamsPerUserError extends AppError {
  constructor(max: number) {
    super('rate_limited', 'LIVE_STREAMS_PER_USER', `at most ${max} live streams per user at once; close one first`);
  }
}

/**
 * `GET /v1/live`: risk and task changes as Server-Sent Events, for any signed-in role, each caller
 * seeing what the read policy lets it see (a crew: its own crew's tasks); the stream ends when the
 * token expires, and one user holds at most `LIVE_MAX_STREAMS_PER_USER` streams.
 */
@Controller('v1/live')
export class LiveController {
  constructor(
    private readonly feed: LiveFeedService,
    @Inject(AUTH_OPTIONS) private readonly auth: AuthOptions,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  async stream(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = liveToken(req);
    const principal = await verifyToken(token, this.auth);
    // The access line of the stream names who held it.
    (req as Request & { principal?: Principal }).principal = principal;
    // Verified just above, so its `exp` (required) can be read as it is.
    const expiresAt = new Date(decodeJwt(token).exp! * 1000);
    const hub = this.feed.hub;
    if (hub.full) throw new LiveFullError();
    if (hub.fullFor(principal.id)) throw new LiveStreamsPerUserError(this.config.LIVE_MAX_STREAMS_PER_USER);
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
    res.on('close', () => hub.remove(res));
    // A client that left while its token was being checked gets no 'close' any more: do not hold its place.
    if (res.destroyed || req.socket.destroyed) return;
    hub.add(res, { subject: principal.id, sees: (event) => liveEventVisibleTo(principal, event), until: expiresAt });
  }
}
