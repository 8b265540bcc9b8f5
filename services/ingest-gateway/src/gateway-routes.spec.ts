import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthModule, signToken } from '@roadloop/auth';
import { ApiRoutes, GATEWAY_API, RISK_API, TASK_API } from '@roadloop/contracts';
import { configureApp } from '@roadloop/http';
import { EventPublisher } from '@roadloop/kafka';
import { AccidentsController } from './accidents/accidents.controller';
import { AccidentsService } from './accidents/accidents.service';
import { GATEWAY_CONFIG, loadGatewayConfig } from './config';
import { ForwardingController } from './forwarding/forwarding.controller';
import { HazardsController } from './hazards/hazards.controller';
import { HazardTrackingService } from './hazards/hazard-tracking.service';
import { ReportPublisher } from './reports/report-publisher';
import { HazardsService } from './hazards/hazards.service';
import { LiveFeedService } from './live/live-feed.service';
import { LiveHub } from './live/live-hub';
import { LiveController } from './live/live.controller';
import { MapController } from './map/map.controller';
import { UpstreamClient } from './upstream.client';

interface Seen {
  service: string;
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

const auth = { secret: 'gateway-routes-spec-secret-0123456789abcdef', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
let token: string;
const GEOJSON = '{"type":"FeatureCollection","features":[{"type":"Feature","id":"h1","geometry":{"type":"Point","coordinates":[1.5,42.5]},"properties":{"id":"h1"}}]}';

/** A stand-in for the risk or task service that records what reached it. */
function upstream(service: string, seen: Seen[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ service, method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      if (req.url!.includes('format=csv')) {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="sites.csv"' }).end('a,b\r\n1,2\r\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/geo+json' }).end(GEOJSON);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('gateway routes', () => {
  const seen: Seen[] = [];
  const published: unknown[] = [];
  let risk: Server;
  let task: Server;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    token = await signToken({ sub: 'ana', role: 'analyst', ttlS: 600 }, auth);
    [risk, task] = await Promise.all([upstream('risk', seen), upstream('task', seen)]);
    const config = loadGatewayConfig({ RISK_SERVICE_URL: urlOf(risk), TASK_SERVICE_URL: urlOf(task), JWT_SECRET: auth.secret });
    const moduleRef = await Test.createTestingModule({
      // The hazard intake's rate limit, counted in memory here (Redis in the services).
      imports: [AuthModule.forRoot(auth), ThrottlerModule.forRoot([{ limit: 1_000, ttl: 60_000 }])],
      controllers: [HazardsController, AccidentsController, ForwardingController, LiveController, MapController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EventPublisher, useValue: { publish: async (_topic: unknown, payload: unknown) => published.push(payload) } },
        { provide: LiveFeedService, useValue: { hub: new LiveHub({ maxClients: 1, maxPerSubject: 3, maxBufferedBytes: 65_536, heartbeatMs: 15_000 }) } },
        HazardsService,
        ReportPublisher,
        HazardTrackingService,
        AccidentsService,
        UpstreamClient,
      ],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ bodyParser: false, logger: false }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    risk?.close();
    task?.close();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  const last = () => seen[seen.length - 1];

  it('forwards hazard and crash reads to the risk service and passes GeoJSON through unchanged', async () => {
    const res = await call('/v1/hazards?bbox=1.5,42.5,1.6,42.6&status=open&format=geojson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/geo+json');
    expect(await res.text()).toBe(GEOJSON);
    expect(last()).toMatchObject({ service: 'risk', method: 'GET', url: '/v1/hazards?bbox=1.5,42.5,1.6,42.6&status=open&format=geojson', authorization: `Bearer ${token}` });

    await call('/v1/accidents?from=2026-01-01');
    expect(last()).toMatchObject({ service: 'risk', url: '/v1/accidents?from=2026-01-01' });
    const polygon = { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.5], [1.6, 42.6], [1.5, 42.5]]] };
    await call('/v1/hazards/within?status=open', { method: 'POST', body: JSON.stringify(polygon) });
    expect(last()).toMatchObject({ service: 'risk', method: 'POST', url: '/v1/hazards/within?status=open' });
    expect(JSON.parse(last().body)).toEqual(polygon);
  });

  it("forwards every route of the services' lists under /v1/ to its service, path and query unchanged (the gateway's own routes aside)", async () => {
    const own = new Set(Object.values(GATEWAY_API).map((r) => `${r.method} ${r.path}`));
    const forwarded = (routes: ApiRoutes) => Object.values(routes).filter((r) => r.path.startsWith('/v1/') && !own.has(`${r.method} ${r.path}`));
    const missed: string[] = [];
    for (const [service, routes] of [['risk', RISK_API], ['task', TASK_API]] as const) {
      for (const route of forwarded(routes)) {
        const path = `${route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'sha256' ? 'ab'.repeat(32) : `p-${name}`))}?probe=1`;
        const before = seen.length;
        const res = await call(path, { method: route.method.toUpperCase(), ...(route.method === 'get' ? {} : { body: '{}' }) });
        await res.arrayBuffer();
        const reached = seen.length > before ? last() : undefined;
        if (res.status !== 200 || reached?.service !== service || reached.method !== route.method.toUpperCase() || reached.url !== path) {
          missed.push(`${route.method} ${route.path} → ${res.status} ${reached ? `${reached.service} ${reached.method} ${reached.url}` : 'nothing forwarded'}`);
        }
      }
    }
    expect(missed).toEqual([]);
    expect(seen.filter((s) => s.url.endsWith('?probe=1')).length).toBeGreaterThan(30);
  });

  it('keeps POST /v1/hazards as its own intake', async () => {
    const before = seen.length;
    const res = await call('/v1/hazards', { method: 'POST', body: JSON.stringify({ category: 'rockfall', severity: 'high', lon: 1.52, lat: 42.5 }) });
    expect(res.status).toBe(202);
    expect(published).toHaveLength(1);
    expect(seen).toHaveLength(before);
  });

  it('forwards effectiveness to risk and the jurisdiction index to task, with CSV headers intact', async () => {
    const csv = await call('/v1/effectiveness/sites?format=csv');
    expect(last()).toMatchObject({ service: 'risk', url: '/v1/effectiveness/sites?format=csv' });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="sites.csv"');
    expect(await csv.text()).toBe('a,b\r\n1,2\r\n');
    await call('/v1/effectiveness?countermeasure=guardrail');
    expect(last()).toMatchObject({ service: 'risk', url: '/v1/effectiveness?countermeasure=guardrail' });
    await call('/v1/jurisdictions/index?format=geojson');
    expect(last()).toMatchObject({ service: 'task', url: '/v1/jurisdictions/index?format=geojson' });
  });

  it('serves the map page with its policy, Leaflet from the installed package, and nothing outside them', async () => {
    const page = await fetch(`${base}/map`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('/map/vendor/leaflet.css');
    const leaflet = await fetch(`${base}/map/vendor/leaflet-src.esm.js`);
    expect(leaflet.status).toBe(200);
    expect(leaflet.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/map/app.js`)).status).toBe(200);
    expect((await fetch(`${base}/map/vendor/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/map/nothing-here.js`)).status).toBe(404);
    const model = await fetch(`${base}/map/risk-model.json`);
    expect(model.status).toBe(200);
    expect(await model.json()).toMatchObject({ unit: { long: 'expected fatal and serious crashes per km per year' }, levels: expect.arrayContaining([expect.objectContaining({ id: 'very_high' })]) });
  });

  it('streams live events to a client with a token in the query, refuses one without, and turns away a full house', async () => {
    expect((await fetch(`${base}/v1/live`)).status).toBe(401);
    expect((await fetch(`${base}/v1/live?access_token=not.a.token`)).status).toBe(401);
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/live?access_token=${token}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('retry: 3000');
    expect(text).toContain('event: status\ndata: {"live":false}');
    const second = await call('/v1/live');
    expect(second.status).toBe(503);
    abort.abort();
  });
});
