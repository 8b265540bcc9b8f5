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
  const waits: number[] = [];
  const client = (url: string) => new GatewayClient(url, AUTH, async (ms) => void waits.push(ms));
  afterEach(async () => {
    waits.length = 0;
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it('tries a command that names its expected version again after a 503\'s Retry-After, and returns the answer that follows', async () => {
    const g = await gateway([{ status: 503, retryAfter: '1' }, { status: 200, body: '{"ok":true}' }]);
    server = g.server;
    await expect(client(g.url).request('POST', '/v1/tasks/t/verify', { body: { expectedVersion: 4 } })).resolves.toEqual({ ok: true });
    expect(g.calls()).toBe(2);
    expect(waits).toEqual([1000]);
  });

  it('gives up after three more tries, with the last answer, waiting longer each time Retry-After says nothing', async () => {
    const g = await gateway([{ status: 429, retryAfter: '0' }, { status: 503, body: '{"code":"UNAVAILABLE"}' }]);
    server = g.server;
    const call = client(g.url).request('GET', '/v1/tasks');
    await expect(call).rejects.toBeInstanceOf(GatewayError);
    await expect(call).rejects.toMatchObject({ status: 503 });
    expect(g.calls()).toBe(4);
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it('does not send a report again after a 503 (the broker may still take the first), but does after a 429', async () => {
    const busy = await gateway([{ status: 503 }, { status: 202 }]);
    server = busy.server;
    await expect(client(busy.url).request('POST', '/v1/hazards', { body: { category: 'ice' } })).rejects.toMatchObject({ status: 503 });
    expect(busy.calls()).toBe(1);
    await new Promise((resolve) => busy.server.close(resolve));
    const limited = await gateway([{ status: 429, retryAfter: '2' }, { status: 202, body: '{"hazardId":"h"}' }]);
    server = limited.server;
    await expect(client(limited.url).request('POST', '/v1/hazards', { body: { category: 'ice' } })).resolves.toEqual({ hazardId: 'h' });
    expect(limited.calls()).toBe(2);
    expect(waits).toEqual([2000]);
  });

  it('does not try a refused call again', async () => {
    const g = await gateway([{ status: 409, body: '{"code":"INVALID_TRANSITION"}' }]);
    server = g.server;
    await expect(client(g.url).request('POST', '/v1/tasks/t/verify', { body: { expectedVersion: 2 } })).rejects.toMatchObject({ status: 409 });
    expect(g.calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});
