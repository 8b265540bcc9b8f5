import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthModule, signToken } from '@roadloop/auth';
import { configureApp } from '@roadloop/http';
import { EventPublisher } from '@roadloop/kafka';
import { GATEWAY_CONFIG, loadGatewayConfig } from '../config';
import { ForwardingController } from '../forwarding/forwarding.controller';
import { HazardTrackingService } from '../hazards/hazard-tracking.service';
import { HazardsController } from '../hazards/hazards.controller';
import { ReportPublisher } from '../reports/report-publisher';
import { HazardsService } from '../hazards/hazards.service';
import { UpstreamClient } from '../upstream.client';
import { Open311Controller } from './open311.controller';
import { Open311Service } from './open311.service';

const auth = { secret: 'open311-http-spec-secret-0123456789abcdef', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
const KNOWN = '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** Anonymous requests allowed per address in this test (POST /v1/hazards and POST requests share them). */
const LIMIT = 10;

const TRACKING = {
  hazardId: KNOWN,
  stage: 'fixed',
  placement: 'on_road',
  category: 'rockfall',
  severity: 'critical',
  lon: 1.5218,
  lat: 42.5063,
  description: 'Rocks & <mud>',
  photoUrls: [],
  reportedAt: '2026-03-01T08:00:00.000Z',
  updatedAt: '2026-03-04T10:00:00.000Z',
  duplicate: false,
  road: { segmentId: 'w900001-0', name: 'CG-2', roadClass: 'primary', jurisdiction: 'Canillo' },
  task: { countermeasure: 'rockfall_clearing', status: 'verified', updatedAt: '2026-03-04T09:59:00.000Z' },
  resolvedAt: '2026-03-04T10:00:00.000Z',
};
const LIST = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', id: KNOWN, geometry: { type: 'Point', coordinates: [1.5218, 42.5063] }, properties: { id: KNOWN, category: 'rockfall', severity: 'critical', status: 'resolved', segmentId: 'w900001-0', reportedAt: '2026-03-01T08:00:00.000Z', resolvedAt: '2026-03-04T10:00:00.000Z', description: null, duplicateOf: null } },
  ],
};

interface Seen {
  url: string;
  authorization?: string;
}

/** The risk service: one known hazard's tracking view, 404 for others, and the hazard list. */
function riskStub(seen: Seen[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ url: req.url!, authorization: req.headers.authorization });
    if (req.url === `/v1/hazards/${KNOWN}/status`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(TRACKING));
    else if (req.url!.startsWith('/v1/hazards?')) res.writeHead(200, { 'content-type': 'application/geo+json' }).end(JSON.stringify(LIST));
    else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, error: 'HAZARD_NOT_FOUND', message: 'no hazard' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Open311 GeoReport v2 and report tracking over HTTP', () => {
  const seen: Seen[] = [];
  const published: Record<string, unknown>[] = [];
  let risk: Server;
  let app: INestApplication;
  let base: string;
  let token: string;

  beforeAll(async () => {
    token = await signToken({ sub: 'ana', role: 'analyst', ttlS: 600 }, auth);
    risk = await riskStub(seen);
    const url = `http://127.0.0.1:${(risk.address() as AddressInfo).port}`;
    const config = loadGatewayConfig({ RISK_SERVICE_URL: url, TASK_SERVICE_URL: url, JWT_SECRET: auth.secret });
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot(auth), ThrottlerModule.forRoot([{ limit: LIMIT, ttl: 60_000 }])],
      controllers: [HazardsController, ForwardingController, Open311Controller],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EventPublisher, useValue: { publish: async (_topic: unknown, payload: Record<string, unknown>) => published.push(payload) } },
        HazardsService,
        ReportPublisher,
        HazardTrackingService,
        Open311Service,
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
  });

  const form = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('lists the services in JSON and XML, and defines a service', async () => {
    const json = await fetch(`${base}/open311/v2/services.json`);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await json.json()) as { service_code: string }[]).map((s) => s.service_code)).toContain('rockfall');
    const xml = await fetch(`${base}/open311/v2/services.xml`);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await xml.text()).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services>\n {2}<service>\n {4}<service_code>rockfall<\/service_code>/);
    expect(await (await fetch(`${base}/open311/v2/services/ice.xml`)).text()).toContain('<code>severity</code>');
    const missing = await fetch(`${base}/open311/v2/services/001.json`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual([{ code: 404, description: 'service_code: no service 001' }]);
  });

  it('creates a request from a form, publishing a hazard, and answers with its id (JSON or XML)', async () => {
    const res = await form('/open311/v2/requests.json', 'service_code=rockfall&lat=42.5063&long=1.5218&description=Boulders&attribute%5Bseverity%5D=critical&jurisdiction_id=roadloop');
    expect(res.status).toBe(201);
    const [created] = (await res.json()) as { service_request_id: string; account_id: null }[];
    expect(created!.service_request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created!.account_id).toBeNull();
    expect(published[published.length - 1]).toMatchObject({ hazardId: created!.service_request_id, category: 'rockfall', severity: 'critical', lon: 1.5218, lat: 42.5063, description: 'Boulders' });
    const xml = await form('/open311/v2/requests.xml', 'service_code=ice&lat=42.5&long=1.5');
    expect(xml.status).toBe(201);
    expect(await xml.text()).toMatch(/<service_requests>\n {2}<request>\n {4}<service_request_id>[0-9a-f-]{36}<\/service_request_id>/);
  });

  it("answers bad requests in the spec's error format, naming the field", async () => {
    const bad = await form('/open311/v2/requests.json', 'service_code=ice&lat=95&long=1.5&colour=red');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual([
      { code: 400, description: 'colour: unknown field' },
      { code: 400, description: expect.stringMatching(/^lat: /) },
    ]);
    const xml = await form('/open311/v2/requests.xml', 'service_code=ice&long=1.5');
    expect(xml.status).toBe(400);
    expect(await xml.text()).toMatch(/<errors>\n {2}<error>\n {4}<code>400<\/code>\n {4}<description>lat: /);
    const asJson = await fetch(`${base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"service_code":"ice"}' });
    expect(asJson.status).toBe(415);
    expect(await asJson.json()).toEqual([{ code: 415, description: expect.stringContaining('application/x-www-form-urlencoded') }]);
    const badKey = await form('/open311/v2/requests.json', 'api_key=xyz&service_code=ice&lat=42.5&long=1.5');
    expect(badKey.status).toBe(403);
    expect(((await badKey.json()) as { description: string }[])[0]!.description).toMatch(/^api_key: /);
    const inUrl = await fetch(`${base}/open311/v2/requests.json?api_key=${token}`);
    expect(inUrl.status).toBe(400);
    const huge = await form('/open311/v2/requests.json', `api_key=${token}&service_code=ice&lat=42.5&long=1.5&description=${'x'.repeat(70_000)}`);
    expect(huge.status).toBe(413);
    // Sent in chunks, without a length: refused once the limit is passed.
    const chunked = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
      body: new Blob([`service_code=ice&lat=42.5&long=1.5&description=${'x'.repeat(70_000)}`]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const notUtf8 = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
      body: Buffer.from([...Buffer.from('service_code=ice&lat=42.5&long=1.5&description='), 0xff, 0xfe]),
    });
    expect(notUtf8.status).toBe(400);
    expect(await notUtf8.json()).toEqual([{ code: 400, description: 'the form is not valid UTF-8' }]);
  });

  it('shows one request by its id to anyone, open or closed from its hazard and task', async () => {
    const res = await fetch(`${base}/open311/v2/requests/${KNOWN}.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([expect.objectContaining({ service_request_id: KNOWN, status: 'closed', address: 'CG-2', agency_responsible: 'Canillo' })]);
    expect(seen[seen.length - 1]).toEqual({ url: `/v1/hazards/${KNOWN}/status`, authorization: undefined });
    const xml = await (await fetch(`${base}/open311/v2/requests/${KNOWN}.xml`)).text();
    expect(xml).toContain('<status>closed</status>');
    expect(xml).toContain('<description>Rocks &amp; &lt;mud&gt;</description>');
    const unknown = await fetch(`${base}/open311/v2/requests/${UNKNOWN}.json`);
    expect(unknown.status).toBe(404);
    const notAnId = await fetch(`${base}/open311/v2/requests/638344.json`);
    expect(notAnId.status).toBe(400);
    expect(((await notAnId.json()) as { description: string }[])[0]!.description).toMatch(/^service_request_id: /);
  });

  it('lists requests by id to anyone, and otherwise only to a signed-in reader, through the risk service', async () => {
    const byId = await fetch(`${base}/open311/v2/requests.json?service_request_id=${KNOWN},${UNKNOWN}`);
    expect(((await byId.json()) as { service_request_id: string }[]).map((r) => r.service_request_id)).toEqual([KNOWN]);
    const anonymous = await fetch(`${base}/open311/v2/requests.json`);
    expect(anonymous.status).toBe(401);
    const list = await fetch(`${base}/open311/v2/requests.json?status=closed&service_code=rockfall&start_date=2026-03-01T00:00:00Z&end_date=2026-03-31T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([expect.objectContaining({ service_request_id: KNOWN, status: 'closed', lat: 42.5063, long: 1.5218 })]);
    const forwarded = seen[seen.length - 1]!;
    expect(forwarded.authorization).toBe(`Bearer ${token}`);
    expect(Object.fromEntries(new URL(forwarded.url, 'http://x').searchParams)).toEqual({
      format: 'geojson', limit: '1000', from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', status: 'resolved', category: 'rockfall',
    });
  });

  it("tells a report's progress by its id without a token", async () => {
    const res = await fetch(`${base}/v1/hazards/${KNOWN}/status`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hazardId: KNOWN, stage: 'fixed' });
    expect(seen[seen.length - 1]).toEqual({ url: `/v1/hazards/${KNOWN}/status`, authorization: undefined });
    expect((await fetch(`${base}/v1/hazards/${UNKNOWN}/status`)).status).toBe(404);
    const bad = await fetch(`${base}/v1/hazards/..%2Fsegments/status`);
    expect(bad.status).toBe(400);
    // Other hazard reads still need a token.
    expect((await fetch(`${base}/v1/hazards?status=open`)).status).toBe(401);
  });

  it('limits anonymous posts per address, one budget with POST /v1/hazards, and not signed-in ones', async () => {
    // The other tests' anonymous posts count too: the limit is reached within LIMIT + 1 posts whatever ran before.
    let limited: Response | undefined;
    for (let i = 0; i <= LIMIT && !limited; i++) {
      const res = await form('/open311/v2/requests.json', 'service_code=ice&lat=42.5&long=1.5');
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(201);
    }
    expect(limited?.status).toBe(429);
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited!.json()) as { code: number }[])[0]!.code).toBe(429);
    const hazards = await fetch(`${base}/v1/hazards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ category: 'ice', severity: 'low', lon: 1.5, lat: 42.5 }) });
    expect(hazards.status).toBe(429);
    const signedIn = await form('/open311/v2/requests.json', `api_key=${token}&service_code=ice&lat=42.5&long=1.5`);
    expect(signedIn.status).toBe(201);
  });
});
