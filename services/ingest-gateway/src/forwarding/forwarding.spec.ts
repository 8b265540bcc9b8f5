import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthModule, signToken } from '@roadloop/auth';
import { AccessLogEntry, configureApp } from '@roadloop/http';
import { waitFor } from '../../../../test/support/wait-for';
import { GATEWAY_CONFIG, loadGatewayConfig } from '../config';
import { MapController } from '../map/map.controller';
import { UpstreamClient } from '../upstream.client';
import { ForwardingController } from './forwarding.controller';
import { forwardedTarget } from './forwarded-routes';

const auth = { secret: 'forwarding-spec-secret-0123456789abcdefghij', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };

/** A server that answers every request with its own name and records the request targets it saw. */
function recordingServer(name: string, seen: string[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url!);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${name} answered ${req.url}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Sends `target` as the request target exactly as given (fetch and supertest normalise paths, so
 * they cannot send `..`, backslashes or an absolute-form target the way curl's --request-target does).
 */
function rawRequest(port: number, target: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: target, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The gateway forwards to its own services only, and only the routes it publishes: the probes of an
 * outside client (curl --request-target, --path-as-is) must not reach another host, another path
 * of the services (their /metrics) or anything without a token.
 */
describe('forwarding', () => {
  const upstreamSeen: string[] = [];
  const victimSeen: string[] = [];
  const accessLines: AccessLogEntry[] = [];
  const logger: LoggerService = {
    log: (message: unknown, context?: string) => void (context === 'access' && accessLines.push(message as AccessLogEntry)),
    error: () => undefined,
    warn: () => undefined,
  };
  const servers: Server[] = [];
  let app: INestApplication;
  let port: number;
  let victimPort: number;
  let authorization: Record<string, string>;

  beforeAll(async () => {
    const [risk, task, victim] = await Promise.all([
      recordingServer('risk', upstreamSeen),
      recordingServer('task', upstreamSeen),
      recordingServer('victim', victimSeen),
    ]);
    servers.push(risk, task, victim);
    victimPort = portOf(victim);
    const config = loadGatewayConfig({
      RISK_SERVICE_URL: `http://127.0.0.1:${portOf(risk)}`,
      TASK_SERVICE_URL: `http://127.0.0.1:${portOf(task)}`,
      JWT_SECRET: auth.secret,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot(auth)],
      controllers: [ForwardingController, MapController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, UpstreamClient],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ bodyParser: false, logger }));
    await app.listen(0, '127.0.0.1');
    port = portOf(app.getHttpServer() as Server);
    authorization = { authorization: `Bearer ${await signToken({ sub: 'ana', role: 'analyst', ttlS: 600 }, auth)}` };
  });

  afterAll(async () => {
    await app?.close();
    for (const server of servers) server.close();
  });

  it('forwards a published route with its path and query exactly as sent', async () => {
    const answer = await rawRequest(port, '/v1/tasks?status=assigned&note=a%2F..%2Fb', authorization);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('task answered /v1/tasks?status=assigned&note=a%2F..%2Fb');
    expect((await rawRequest(port, '/v1/segments/w1-0', authorization)).body).toBe('risk answered /v1/segments/w1-0');
  });

  it.each([
    ['with a token', true],
    ['without a token', false],
  ])('refuses absolute-form targets %s, so a caller never chooses the host or scans ports', async (_, withToken) => {
    const headers = withToken ? authorization : {};
    for (const target of [
      `http://127.0.0.1:${victimPort}/v1/tasks?x=1`,
      `http://127.0.0.1:${victimPort}/v1/tasks/../../internal/admin`,
      'http://127.0.0.1:1/v1/tasks',
      `//127.0.0.1:${victimPort}/v1/tasks`,
    ]) {
      const answer = await rawRequest(port, target, headers);
      expect({ target, status: answer.status, error: JSON.parse(answer.body).error }).toEqual({ target, status: 400, error: 'REQUEST_TARGET_NOT_ALLOWED' });
    }
    expect(victimSeen).toEqual([]);
    expect(upstreamSeen.filter((url) => !url.startsWith('/v1/'))).toEqual([]);
  });

  it.each([
    '/v1/tasks/../../metrics',
    '/v1/tasks/../../internal/admin',
    '/v1/tasks/%2e%2e/%2E%2E/metrics',
    '/v1/segments/.%2e/.%2E/metrics',
    '/v1/tasks/./x',
    '/v1/tasks/..\\..\\metrics',
    '/v1/tasks/%5c..%5cmetrics',
  ])('refuses the dot segments or backslashes of %s with 400, forwarding nothing', async (target) => {
    const before = upstreamSeen.length;
    const answer = await rawRequest(port, target, authorization);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 400, error: 'REQUEST_TARGET_NOT_ALLOWED' });
    expect(upstreamSeen.slice(before)).toEqual([]);
  });

  it('authenticates before forwarding: no token, no request to a service', async () => {
    const before = upstreamSeen.length;
    const answer = await rawRequest(port, '/v1/tasks');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'TOKEN_MISSING' });
    expect(upstreamSeen.slice(before)).toEqual([]);
  });

  it('leaves an access line for every request, naming the caller of a forwarded one and the client of a refused one', async () => {
    await rawRequest(port, '/v1/segments/w1-0?access_token=not-for-logs', authorization);
    await rawRequest(port, `http://127.0.0.1:${victimPort}/v1/tasks?x=1`);
    const lineOf = (path: string) => waitFor(`the access line of ${path}`, () => accessLines.find((l) => l.path === path), { intervalMs: 10 });
    expect(await lineOf('/v1/segments/w1-0')).toMatchObject({ method: 'GET', status: 200, sub: 'ana', role: 'analyst', client: '127.0.0.1' });
    expect(await lineOf(`http://127.0.0.1:${victimPort}/v1/tasks`)).toMatchObject({ method: 'GET', status: 400, client: '127.0.0.1' });
    expect(JSON.stringify(accessLines)).not.toContain('not-for-logs');
  });

  it('marks forwarded answers nosniff, and keeps the map page and its links from leaking a referrer', async () => {
    const forwarded = await rawRequest(port, '/v1/crews', authorization);
    expect(forwarded.status).toBe(200);
    expect(forwarded.headers['x-content-type-options']).toBe('nosniff');
    const page = await rawRequest(port, '/map');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe(forwardedTarget.name, () => {
  const outcome = (service: 'task' | 'risk', raw: string) => {
    try {
      return forwardedTarget(service, raw);
    } catch (err) {
      return (err as { code: string }).code;
    }
  };

  it('passes a published route of the service on as sent, whatever reached the controller', () => {
    expect(outcome('task', '/v1/tasks/t1/assign?x=1')).toBe('/v1/tasks/t1/assign?x=1');
    expect(outcome('risk', '/v1/hazards/within')).toBe('/v1/hazards/within');
  });

  it('refuses another service\'s routes, unpublished paths and steering targets on its own', () => {
    expect(outcome('risk', '/v1/tasks')).toBe('ROUTE_NOT_FOUND');
    expect(outcome('task', '/metrics')).toBe('ROUTE_NOT_FOUND');
    expect(outcome('task', '/v1/tasksx')).toBe('ROUTE_NOT_FOUND');
    expect(outcome('task', '/v1/tasks/../../metrics')).toBe('REQUEST_TARGET_NOT_ALLOWED');
    expect(outcome('task', 'http://127.0.0.1:18999/v1/tasks')).toBe('REQUEST_TARGET_NOT_ALLOWED');
  });
});
