import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '../../../test/support/environment';
import { loadGatewayConfig } from './config';
import { UpstreamClient, UpstreamInstances } from './upstream.client';

/** A server that answers with its own name and counts the requests it saw. */
function namedServer(name: string, seen: Map<string, number>): Promise<Server> {
  const server = createServer((req, res) => {
    seen.set(name, (seen.get(name) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name })));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe(UpstreamInstances.name, () => {
  it('starts each request at the next instance in turn', () => {
    const instances = new UpstreamInstances(['http://a', 'http://b', 'http://c'], 5_000, () => 0);
    expect([instances.order(), instances.order(), instances.order(), instances.order()].map((o) => o[0])).toEqual([
      'http://a',
      'http://b',
      'http://c',
      'http://a',
    ]);
  });

  it('tries an instance that refused last until its pause is over', () => {
    let now = 1_000;
    const instances = new UpstreamInstances(['http://a', 'http://b'], 5_000, () => now);
    instances.markDown('http://a');
    expect(instances.order()).toEqual(['http://b', 'http://a']);
    expect(instances.order()).toEqual(['http://b', 'http://a']);
    now += 5_001;
    expect(instances.order()).toEqual(['http://a', 'http://b']);
  });

  it('refuses an empty list', () => {
    expect(() => new UpstreamInstances([], 1_000)).toThrow(/at least one URL/);
  });
});

describe(UpstreamClient.name, () => {
  const seen = new Map<string, number>();
  const servers: Server[] = [];
  let deadUrl: string;

  beforeAll(async () => {
    servers.push(await namedServer('one', seen), await namedServer('two', seen));
    // A port nothing listens on: an instance that was killed.
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const client = (risk: string) => new UpstreamClient(loadGatewayConfig({ RISK_SERVICE_URL: risk, JWT_SECRET: 'upstream-spec-secret-0123456789abcdefghij' }));

  it('reads the list of instances from the environment and refuses a bad URL by name', () => {
    expect(loadGatewayConfig({ RISK_SERVICE_URL: 'http://a:1, http://b:2', JWT_SECRET: 'upstream-spec-secret-0123456789abcdefghij' }).RISK_SERVICE_URL).toEqual([
      'http://a:1',
      'http://b:2',
    ]);
    expect(() => loadGatewayConfig({ RISK_SERVICE_URL: 'http://a:1,ftp://b', JWT_SECRET: 'upstream-spec-secret-0123456789abcdefghij' })).toThrow(/RISK_SERVICE_URL/);
  });

  it('spreads reads over the instances', async () => {
    seen.clear();
    const upstream = client(`${urlOf(servers[0])},${urlOf(servers[1])}`);
    for (let i = 0; i < 6; i++) expect((await upstream.forward('risk', 'GET', '/v1/x')).status).toBe(200);
    expect(Object.fromEntries(seen)).toEqual({ one: 3, two: 3 });
  });

  it('sends a read and a command to the next instance when one refuses the connection', async () => {
    seen.clear();
    const upstream = client(`${deadUrl},${urlOf(servers[0])}`);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await upstream.forward('risk', i % 2 ? 'POST' : 'GET', '/v1/x', i % 2 ? { body: { i } } : {}));
    expect(answers.map((a) => [a.status, (a.body as { name: string }).name])).toEqual([
      [200, 'one'],
      [200, 'one'],
      [200, 'one'],
      [200, 'one'],
    ]);
    expect(seen.get('one')).toBe(4);
  });

  it('answers 503 naming every instance tried when none answers', async () => {
    const upstream = client(`${deadUrl},${deadUrl.replace(/\d+$/, String(await freePort()))}`);
    await expect(upstream.forward('risk', 'GET', '/v1/x')).rejects.toMatchObject({ kind: 'unavailable', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/ECONNREFUSED.*ECONNREFUSED/) });
  });
});
