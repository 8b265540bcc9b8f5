import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { authOptionsFrom, signToken, signingConfigSchema } from '@roadloop/auth';
import type { Request, Response } from 'express';
import { GatewayConfig } from '../config';
import { LiveHub } from './live-hub';
import { LiveController } from './live.controller';
import { LiveFeedService } from './live-feed.service';

const auth = authOptionsFrom(signingConfigSchema.parse({}));

/** A response that records what the controller does with it; `destroyed` as a socket left behind. */
function fakeResponse(destroyed: boolean) {
  const res = Object.assign(new EventEmitter(), {
    destroyed,
    writableLength: 0,
    status: () => res,
    set: () => res,
    flushHeaders: () => undefined,
    write: () => true,
    end: () => undefined,
  });
  return res;
}

describe(LiveController.name, () => {
  it('keeps no place for a client that left while its token was being checked', async () => {
    const hub = new LiveHub({ maxClients: 10, maxPerSubject: 1, maxBufferedBytes: 1 << 20, heartbeatMs: 60_000 });
    const controller = new LiveController({ hub } as unknown as LiveFeedService, auth, { LIVE_MAX_STREAMS_PER_USER: 1 } as GatewayConfig);
    const token = await signToken({ sub: 'analyst-1', role: 'analyst', ttlS: 3600 }, auth);
    const request = (socketDestroyed: boolean) =>
      ({ headers: { authorization: `Bearer ${token}` }, query: {}, socket: { destroyed: socketDestroyed, setNoDelay: () => undefined } }) as unknown as Request;

    await controller.stream(request(true), fakeResponse(true) as unknown as Response);
    expect(hub.stats.clients).toBe(0);
    // The user's one stream is still free: a client that stays gets it.
    const staying = fakeResponse(false);
    await controller.stream(request(false), staying as unknown as Response);
    expect(hub.stats.clients).toBe(1);
    staying.emit('close');
    expect(hub.stats.clients).toBe(0);
  });
});
