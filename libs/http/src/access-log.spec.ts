import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { EventEmitter } from 'node:events';
import { AddressInfo } from 'node:net';
import { AccessLogEntry, accessLog } from './access-log';
import { logContext } from '@roadloop/core';
import { waitFor } from '../../../test/support/wait-for';

describe(accessLog.name, () => {
  async function serve(entries: { entry: AccessLogEntry; correlationId?: string }[]) {
    const app = express();
    app.use((req, _res, next) => logContext.run({ correlationId: String(req.headers['x-correlation-id'] ?? '') }, next));
    app.use(accessLog((entry) => entries.push({ entry, correlationId: logContext.getStore()?.correlationId })));
    app.get('/v1/tasks/:id', (req, res) => {
      (req as unknown as { principal: unknown }).principal = { id: 'alice\nforged line', role: 'dispatcher' };
      res.status(404).json({ error: 'TASK_NOT_FOUND' });
    });
    app.get('/v1/live', (_req, res) => {
      res.status(200).write('retry: 3000\n\n');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('writes one entry per request: method, path without its query, status, duration, caller and client', async () => {
    const entries: { entry: AccessLogEntry; correlationId?: string }[] = [];
    const { server, base } = await serve(entries);
    try {
      await (await fetch(`${base}/v1/tasks/t1?access_token=secret.token.value`, { headers: { 'x-correlation-id': 'c-1' } })).text();
      await waitFor('the access entry', () => (entries.length === 1 ? true : undefined), { intervalMs: 10 });
      expect(entries[0]).toEqual({
        correlationId: 'c-1',
        entry: {
          message: expect.stringMatching(/^GET \/v1\/tasks\/t1 404 [\d.]+ ms 127\.0\.0\.1 alice%0Aforged line\/dispatcher$/),
          method: 'GET',
          path: '/v1/tasks/t1',
          status: 404,
          durationMs: expect.any(Number),
          client: '127.0.0.1',
          sub: 'alice%0Aforged line',
          role: 'dispatcher',
        },
      });
      expect(JSON.stringify(entries)).not.toContain('secret.token.value');
    } finally {
      server.close();
    }
  });

  it('writes an entry, marked aborted, for a client that went away before the answer ended', async () => {
    const entries: { entry: AccessLogEntry }[] = [];
    const { server, base } = await serve(entries);
    try {
      const abort = new AbortController();
      const res = await fetch(`${base}/v1/live`, { signal: abort.signal });
      expect(res.status).toBe(200);
      abort.abort();
      await waitFor('the access entry', () => (entries.length === 1 ? true : undefined), { intervalMs: 10 });
      expect(entries[0].entry).toMatchObject({ method: 'GET', path: '/v1/live', status: 200, aborted: true });
      expect(entries[0].entry).not.toHaveProperty('sub');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps the client address of a request whose socket is gone by the time the answer closes', () => {
    const entries: AccessLogEntry[] = [];
    // Like Express's req.ip, which reads the socket (and throws once it is detached, as after Connection: close).
    const req = {
      method: 'POST',
      originalUrl: '/open311/v2/requests.json',
      socket: { remoteAddress: '192.0.2.7' } as { remoteAddress?: string } | null,
      get ip(): string | undefined {
        if (!this.socket) throw new TypeError("Cannot read properties of null (reading 'remoteAddress')");
        return this.socket.remoteAddress;
      },
    };
    const res = Object.assign(new EventEmitter(), { statusCode: 413, writableFinished: true });
    accessLog((entry) => entries.push(entry))(req as never, res as never, () => undefined);
    req.socket = null;
    res.emit('close');
    expect(entries).toEqual([expect.objectContaining({ status: 413, client: '192.0.2.7' })]);
  });
});
