import { afterEach, describe, expect, it } from '@jest/globals';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { GatewayClient, GatewayError } from './gateway-client';

const AUTH = { secret: 'a-test-secret-of-at-least-32-characters!', issuer: 'roadloop', audience: 'roadloop-api' };

/** A gateway that answers each call with the next of `answers` (the last one again once they run out). */
async function gateway(answers: { status: number; retryAfter?: string; body?: string }[]): Promise<{ url: string; calls: () => number; server: Server }> {
  let calls = 0;
  const server = createServer((_req, res) => {
    const answer = answers[Math.min(calls++, answers.length - 1)];
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}) });
    res.end(answer.body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls, server };
}

describe(GatewayClient.name, () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('tries a call answered 503 again after its Retry-After, and returns the answer that follows', async () => {
    const g = await gateway([{ status: 503, retryAfter: '1' }, { status: 200, body: '{"ok":true}' }]);
    server = g.server;
    await expect(new GatewayClient(g.url, AUTH).request('POST', '/v1/hazards', { body: {} })).resolves.toEqual({ ok: true });
    expect(g.calls()).toBe(2);
  });

  it('gives up after three more tries, with the last answer', async () => {
    const g = await gateway([{ status: 429, retryAfter: '0' }, { status: 503, body: '{"code":"UNAVAILABLE"}' }]);
    server = g.server;
    const call = new GatewayClient(g.url, AUTH).request('GET', '/v1/tasks');
    await expect(call).rejects.toBeInstanceOf(GatewayError);
    await expect(call).rejects.toMatchObject({ status: 503 });
    expect(g.calls()).toBe(4);
  });

  it('does not try a refused call again', async () => {
    const g = await gateway([{ status: 409, body: '{"code":"INVALID_TRANSITION"}' }]);
    server = g.server;
    await expect(new GatewayClient(g.url, AUTH).request('POST', '/v1/tasks/t/verify')).rejects.toMatchObject({ status: 409 });
    expect(g.calls()).toBe(1);
  });
});
