import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHmac, randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { Role } from '@roadloop/auth';
import { taskChangedTopic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, E2E_JWT_SECRET, bearer } from '../support/auth-tokens';
import { freePort, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/** A token expiring `ttlS` seconds from now. */
function token(role: Role, sub: string, crewId: string | undefined, ttlS: number): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub, role, ...(crewId ? { crewId } : {}), iss: 'roadloop', aud: 'roadloop-api', iat, exp: iat + ttlS };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', E2E_JWT_SECRET).update(signingInput).digest('base64url')}`;
}

/** A live stream read as it arrives: its frames, and whether the server ended it. */
class LiveStream {
  readonly frames: string[] = [];
  status = 0;
  ended = false;
  private readonly abort = new AbortController();

  static async open(base: string, accessToken: string): Promise<LiveStream> {
    const stream = new LiveStream();
    const res = await fetch(`${base}/v1/live?access_token=${accessToken}`, { signal: stream.abort.signal });
    stream.status = res.status;
    if (res.ok && res.body) void stream.read(res.body.getReader());
    else stream.ended = true;
    return stream;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const parts = buffer.split('\n\n');
        buffer = parts.pop()!;
        this.frames.push(...parts.filter((p) => p.startsWith('event:')));
      }
    } catch {
      // aborted by the test
    }
    this.ended = true;
  }

  events(type: string): unknown[] {
    return this.frames.filter((f) => f.startsWith(`event: ${type}\n`)).map((f) => JSON.parse(f.split('\ndata: ')[1]));
  }

  close(): void {
    this.abort.abort();
  }
}

/**
 * Hostile and careless callers against the real gateway and risk service: bounded analysis reads
 * limited per user, what each role sees of a segment and of the report queues, a live feed that
 * follows crew boundaries and token expiry, and report times and anonymous reports kept in bounds.
 */
describe('hostile reads: bounded analysis, read policy, live feed boundaries, report times and rates', () => {
  const id = runId('hostile');
  const schema = `risk_${id}`;
  const common = {
    ...isolatedEnv(id),
    DB_SCHEMA: schema,
    PROFILE_RELAY_MS: '200',
    ...E2E_AUTH_ENV,
    HAZARD_RATE_LIMIT: '5',
    HAZARD_RATE_WINDOW_S: '600',
    ANALYSIS_RATE_LIMIT: '4',
    ANALYSIS_RATE_WINDOW_S: '600',
    LIVE_MAX_STREAMS_PER_USER: '2',
  };
  const dispatcher = { authorization: bearer('dispatcher', 'dispatcher-1') };
  const crew = { authorization: bearer('crew', 'crew-user-1', 'crew-1') };
  const services: RunningService[] = [];
  const streams: LiveStream[] = [];
  let gateway: RunningService;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], common);
    expect(imported.status).toBe(0);
    const risk = await startService('risk-service', await freePort(), common);
    services.push(risk);
    gateway = await startService('ingest-gateway', await freePort(), { ...common, RISK_SERVICE_URL: risk.url });
    services.push(gateway);
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    streams.forEach((s) => s.close());
    await producer?.disconnect();
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schema]);
    await deleteRedisPrefix(`${id}:`);
  });

  const get = (path: string, headers: Record<string, string>) => fetch(`${gateway.url}${path}`, { headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const fieldsOf = async (res: Response) => ((await res.json()) as { fields?: { field: string }[] }).fields?.map((f) => f.field);
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const taskEvent = (crewId: string, segmentId = 'w900001-1') => ({
    eventId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1, correlationId: `c-${crewId}`, source: 'task-service',
    payload: {
      taskId: randomUUID(), segmentId, change: 'assigned', status: 'assigned', previousStatus: 'created', countermeasure: 'guardrail',
      side: 'right', priority: 'p2', hazardIds: [], jurisdictionId: 'west', crewId, actor: { role: 'dispatcher', id: 'dispatcher-1' },
      reason: null, fixFailed: false, dueAt: new Date(Date.now() + 72 * 3_600_000).toISOString(), version: 2,
    },
  });
  const publishTask = (event: ReturnType<typeof taskEvent>) =>
    producer.send({ topic: topicName(taskChangedTopic, id), messages: [{ key: event.payload.segmentId, value: JSON.stringify(event) }] });

  describe('reports', () => {
    const withToken = { authorization: bearer('dispatcher', 'hazard-desk') };

    it('refuses an anonymous report time in the future or days back, naming the field, and limits anonymous reports per address (429, Retry-After)', async () => {
      const ice = { category: 'ice', severity: 'medium', lon: 1.5223, lat: 42.50665 };
      for (const reportedAt of ['2999-01-01T00:00:00Z', daysAgo(10)]) {
        const res = await post('/v1/hazards', { ...ice, reportedAt });
        expect(res.status).toBe(400);
        expect(await fieldsOf(res)).toEqual(['reportedAt']);
      }
      // Five per window from this address, the two refused above included.
      for (let i = 0; i < 3; i++) expect((await post('/v1/hazards', { ...ice, reportedAt: daysAgo(1) })).status).toBe(202);
      const refused = await post('/v1/hazards', ice);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: 'RATE_LIMITED' });
      // A signed-in reporter is not counted; a bad token is refused, never taken as anonymous.
      expect((await post('/v1/hazards', ice, withToken)).status).toBe(202);
      expect((await post('/v1/hazards', ice, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    });

    it('takes weeks-old hazards and years-old crashes from a signed-in caller (the demo\'s history), but not year 0001 or 2999', async () => {
      const pothole = { category: 'pothole', severity: 'low', lon: 1.6, lat: 42.6 };
      for (const reportedAt of ['2999-01-01T00:00:00Z', '0001-01-01T00:00:00Z', daysAgo(40)]) {
        const res = await post('/v1/hazards', { ...pothole, reportedAt }, withToken);
        expect(res.status).toBe(400);
        expect(await fieldsOf(res)).toEqual(['reportedAt']);
      }
      expect((await post('/v1/hazards', { ...pothole, reportedAt: daysAgo(20) }, withToken)).status).toBe(202);
      const crash = { lon: 1.6, lat: 42.6, deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1 };
      for (const occurredAt of ['2999-06-01T00:00:00Z', '0001-01-01T00:00:00Z']) {
        const res = await post('/v1/accidents', { ...crash, occurredAt }, withToken);
        expect(res.status).toBe(400);
        expect(await fieldsOf(res)).toEqual(['occurredAt']);
      }
      expect((await post('/v1/accidents', { ...crash, occurredAt: daysAgo(3 * 365 - 2) }, withToken)).status).toBe(202);
    });
  });

  describe('what each role reads', () => {
    it('shows a crew a segment\'s crash count but not its crashes, other crews\' tasks or crash ids; a dispatcher sees them', async () => {
      const crash = { occurredAt: daysAgo(2), lon: 1.5223, lat: 42.50665, deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1 };
      expect((await post('/v1/accidents', crash, dispatcher)).status).toBe(202);
      await publishTask(taskEvent('crew-2'));
      const full = await waitFor('the crash and the task on the segment', async () => {
        const body = (await (await get('/v1/segments/w900001-1', dispatcher)).json()) as { crashes?: unknown[]; tasks?: unknown[] };
        return body.crashes?.length === 1 && body.tasks?.length === 1 ? body : undefined;
      });
      expect(full).toMatchObject({ crashCount: 1, crashes: [{ seriousInjuries: 1 }], tasks: [{ status: 'assigned' }] });
      const res = await get('/v1/segments/w900001-1', crew);
      expect(res.status).toBe(200);
      const seen = (await res.json()) as Record<string, unknown> & { history: { cause: unknown }[] };
      expect(seen.crashCount).toBe(1);
      expect(seen).not.toHaveProperty('crashes');
      expect(seen).not.toHaveProperty('tasks');
      const crashId = (full as { crashes: { id: string }[] }).crashes[0].id;
      expect(JSON.stringify(seen)).not.toContain(crashId);
    });

    it('refuses crews the crash list and the unmatched-report queue, route by route', async () => {
      for (const path of ['/v1/accidents', '/v1/reports/unmatched', '/v1/reports/unmatched?format=csv']) {
        expect((await get(path, crew)).status).toBe(403);
        expect((await get(path, dispatcher)).status).toBe(200);
      }
      expect((await get('/v1/hazards', crew)).status).toBe(200);
      expect((await get('/v1/segments/top?limit=3', crew)).status).toBe(200);
    });
  });

  describe('analysis reads', () => {
    it('refuses hotspot parameters beyond what an analyst needs, naming each, and limits analysis reads per user', async () => {
      const analyst = { authorization: bearer('analyst', 'ana') };
      const huge = await get('/v1/hotspots?windowM=10000&stepM=10&years=10&limit=500', analyst);
      expect(huge.status).toBe(400);
      expect(new Set(await fieldsOf(huge))).toEqual(new Set(['windowM', 'stepM', 'years', 'limit']));
      // The refused request counted too: three more of the four, across the analysis routes.
      expect((await get('/v1/hotspots', analyst)).status).toBe(200);
      expect((await get('/v1/effectiveness', analyst)).status).toBe(200);
      expect((await get('/v1/hotspots?windowM=1000&stepM=100', analyst)).status).toBe(200);
      const limited = await get('/v1/effectiveness/sites', analyst);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another user has a budget of their own; the interactive routes are not counted.
      expect((await get('/v1/hotspots', { authorization: bearer('analyst', 'bea') })).status).toBe(200);
      expect((await get('/v1/segments/w900001-1', analyst)).status).toBe(200);
    });
  });

  describe('the live feed', () => {
    it('sends a crew its own crew\'s task events only, caps the streams of one user, and ends a stream when its token expires', async () => {
      const crewToken = token('crew', 'crew-user-1', 'crew-1', 3600);
      const office = await LiveStream.open(gateway.url, token('dispatcher', 'dispatcher-1', undefined, 3600));
      const mine = await LiveStream.open(gateway.url, crewToken);
      const brief = await LiveStream.open(gateway.url, token('crew', 'crew-user-9', 'crew-1', 4));
      streams.push(office, mine, brief);
      expect([office.status, mine.status, brief.status]).toEqual([200, 200, 200]);
      await waitFor('the feed to go live', () => (office.events('status').some((s) => (s as { live: boolean }).live) ? true : undefined));

      const third = await LiveStream.open(gateway.url, crewToken);
      const extra = await LiveStream.open(gateway.url, crewToken);
      streams.push(third, extra);
      expect([third.status, extra.status]).toEqual([200, 429]);

      const [ours, theirs] = [taskEvent('crew-1', 'w900001-0'), taskEvent('crew-2', 'w900001-0')];
      await publishTask(theirs);
      await publishTask(ours);
      await waitFor('both task events at the dispatcher', () => (office.events('task').length >= 2 ? true : undefined));
      await waitFor('the crew\'s own task event', () => (mine.events('task').length >= 1 ? true : undefined));
      expect(mine.events('task')).toEqual([expect.objectContaining({ taskId: ours.payload.taskId, crewId: 'crew-1' })]);
      expect(office.events('task').map((e) => (e as { crewId: string }).crewId).sort()).toEqual(['crew-1', 'crew-2']);

      await waitFor('the short token\'s stream to end', () => (brief.ended ? true : undefined), { timeoutMs: 20_000 });
      expect(brief.events('expired')).toEqual([{ reason: 'token expired' }]);
      expect(mine.ended).toBe(false);
    });
  });
});
