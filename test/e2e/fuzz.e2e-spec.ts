import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { Agent, IncomingHttpHeaders, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, Kafka, Partitioners, Producer } from 'kafkajs';
import {
  ALL_TOPICS,
  DEAD_LETTER_HEADERS,
  TOPIC_USE,
  TopicContract,
  accidentReportedTopic,
  deadLetterTopic,
  decodeMessage,
  fixtureExamples,
  hazardReportedTopic,
  topicJsonSchema,
  topicName,
} from '@roadloop/contracts';
import { E2E_AUTH_ENV, E2E_JWT_SECRET, bearer } from '../support/auth-tokens';
import { REPO_ROOT, isolatedEnv, runId } from '../support/environment';
import { RAW_SEGMENTS, anyJson, deepJsonText, fromSchema, hostileString, Json, longString, mutate, percentEncode } from '../support/fuzz-inputs';
import { SeenMessage, TopicRecorder, deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';

/**
 * Property-based fuzz of every HTTP route of the gateway and every consumed topic, against the real
 * services: seeded (FUZZ_SEED), FUZZ_INPUTS generated inputs in all (default 10,000; about 70 % HTTP,
 * 30 % Kafka). Asserted: no 5xx and no request left unanswered; every valid report stored and
 * nothing stored from an invalid one; no task opened by an invalid message; every refused message
 * dead-lettered with its reason after at most one handler attempt, and a valid report behind poison
 * on its partition handled. The measured numbers are written to .roadloop/test-logs (docs/fuzz.md).
 */

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);
const HTTP_INPUTS = Math.round(INPUTS * 0.7);
const KAFKA_INPUTS = INPUTS - HTTP_INPUTS;
/** How long the consumers may take to work through everything sent (generous: the machine is shared). */
const DRAIN_TIMEOUT_MS = Math.max(120_000, INPUTS * 30);
/** Requests in flight at once: one fast-check run sends a batch of this many. */
const HTTP_BATCH = 8;

jest.setTimeout(Math.max(600_000, INPUTS * 120));

type Role = 'dispatcher' | 'crew' | 'inspector' | 'analyst' | 'admin';
const TOKEN_KINDS = ['none', 'dispatcher', 'crew', 'crew-other', 'inspector', 'analyst', 'admin', 'garbage', 'expired', 'nul-sub', 'other-secret', 'alg-none'] as const;
type TokenKind = (typeof TOKEN_KINDS)[number];

/** The fixture network: where valid reports land on a road (else they are stored unmatched). */
const ON_ROAD = [
  { lon: 1.5205, lat: 42.5054 },
  { lon: 1.5222, lat: 42.5066 },
  { lon: 1.5806, lat: 42.5343 },
];

interface Route {
  method: string;
  template: string;
  pathParams: string[];
  query: { name: string; schema?: Record<string, unknown> }[];
  body?: Record<string, unknown>;
}

type Body = { kind: 'json'; value: Json; contentType: string } | { kind: 'raw'; text: string; contentType?: string } | { kind: 'valid-hazard'; value: Json } | { kind: 'valid-accident'; value: Json };

interface HttpInput {
  route: Route;
  method: string;
  segments: string[];
  query: [string, string][];
  token: TokenKind;
  body?: Body;
}

interface Answer {
  status: number;
  contentType?: string;
  text: string;
  error?: string;
}

interface KafkaInput {
  fuzzId: number;
  topic: string;
  key: string | null;
  value: Buffer | null;
  /** What must become of it. */
  expect: { kind: 'dead'; codes: string[]; attempts: string[] } | { kind: 'stored'; id: string } | { kind: 'redelivery'; id: string } | { kind: 'one-of'; group: string; id: string; code: string };
  eventId?: string;
  label: string;
  refusedByBroker?: boolean;
}

describe('fuzz: every route and every consumed topic, hostile and careless input', () => {
  const id = runId('e2efuzz');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = { ...isolatedEnv(id), KAFKA_CONSUMER_MAX_ATTEMPTS: '5', LOG_LEVEL: 'warn', ...E2E_AUTH_ENV };
  const services: RunningService[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_BATCH });
  let gateway: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let deadLetters: TopicRecorder;
  const known = { taskIds: [] as string[], segmentIds: ['w900001-0', 'w900001-1', 'w900002-0'], jurisdictionIds: ['west'], crewIds: ['crew-1'] };
  const summary: Record<string, unknown> = { seed: SEED, inputs: INPUTS, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}` };

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stdout).toMatch(/imported 3 of 3 segments/);
    const stack = await startStack(common, schemas);
    services.push(...stack.all);
    gateway = stack.gateway;
    kafka = testKafka(`${id}-fuzz`);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    deadLetters = new TopicRecorder(kafka, topicName(deadLetterTopic, id), `${id}-fuzz-dlq`);
    await deadLetters.start();

    // A jurisdiction with a crew over the network, and tasks for the commands to act on.
    const west = { type: 'Polygon', coordinates: [[[1.5, 42.49], [1.6, 42.49], [1.6, 42.55], [1.5, 42.55], [1.5, 42.49]]] };
    expect((await send('PUT', '/v1/jurisdictions/west', 'admin', { kind: 'json', value: { name: 'West', geometry: west }, contentType: 'application/json' })).status).toBeLessThan(300);
    expect((await send('PUT', '/v1/crews/crew-1', 'admin', { kind: 'json', value: { name: 'Crew one', jurisdictionId: 'west' }, contentType: 'application/json' })).status).toBeLessThan(300);
    for (const at of ON_ROAD) {
      const res = await send('POST', '/v1/hazards', 'none', { kind: 'valid-hazard', value: { category: 'rockfall', severity: 'critical', ...at } });
      expect(res.status).toBe(202);
      accepted.hazards.add((JSON.parse(res.text) as { hazardId: string }).hazardId);
    }
    known.taskIds = await waitFor('tasks for the critical hazards', async () => {
      const res = await send('GET', '/v1/tasks?limit=100', 'dispatcher');
      const items = (JSON.parse(res.text) as { items: { id: string }[] }).items;
      return items.length >= 2 ? items.map((t) => t.id) : undefined;
    });
  });

  afterAll(async () => {
    agent.destroy();
    await Promise.allSettled([deadLetters?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  const accepted = { hazards: new Set<string>(), accidents: new Set<string>() };

  // ---------- HTTP ----------

  function tokenFor(kind: TokenKind): string | undefined {
    const claims = (over: Record<string, unknown>) => {
      const iat = Math.floor(Date.now() / 1000);
      return { sub: 'fuzzer', role: 'dispatcher', iss: 'roadloop', aud: 'roadloop-api', iat, exp: iat + 3600, ...over };
    };
    const sign = (header: object, body: object, secret = E2E_JWT_SECRET) => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const input = `${enc(header)}.${enc(body)}`;
      return `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    switch (kind) {
      case 'none':
        return undefined;
      case 'crew':
        return bearer('crew', 'crew-user-1', 'crew-1');
      case 'crew-other':
        return bearer('crew', 'crew-user-2', 'crew-2');
      case 'garbage':
        return 'Bearer not.a.token';
      case 'expired':
        return sign({ alg: 'HS256', typ: 'JWT' }, claims({ iat: 1_000_000, exp: 1_000_060 }));
      case 'nul-sub':
        return sign({ alg: 'HS256', typ: 'JWT' }, claims({ sub: 'fuzz\u0000er' }));
      case 'other-secret':
        return sign({ alg: 'HS256', typ: 'JWT' }, claims({}), 'another-secret-another-secret-another-secret');
      case 'alg-none':
        return `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url')}.`;
      default:
        return bearer(kind as Role, `${kind}-fuzz`);
    }
  }

  function bodyBytes(body: Body | undefined): { bytes?: Buffer; contentType?: string } {
    if (!body) return {};
    switch (body.kind) {
      case 'raw':
        return { bytes: Buffer.from(body.text, 'utf8'), contentType: body.contentType };
      case 'json':
        return { bytes: Buffer.from(JSON.stringify(body.value), 'utf8'), contentType: body.contentType };
      case 'valid-hazard':
        return { bytes: Buffer.from(JSON.stringify(body.value)), contentType: 'application/json' };
      case 'valid-accident':
        // Its time is taken when it is sent: the gateway bounds report times by its clock.
        return { bytes: Buffer.from(JSON.stringify({ ...(body.value as object), occurredAt: new Date(Date.now() - 3600_000).toISOString() })), contentType: 'application/json' };
    }
  }

  /** One request with a raw target (no URL normalisation: dot segments and bad escapes reach the gateway as sent). */
  function send(method: string, target: string, token: TokenKind, body?: Body): Promise<Answer> {
    const { bytes, contentType } = bodyBytes(body);
    const authorization = tokenFor(token);
    const url = new URL(gateway.url);
    return new Promise<Answer>((resolve) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path: target,
          timeout: 30_000,
          headers: {
            ...(authorization ? { authorization } : {}),
            ...(contentType ? { 'content-type': contentType } : {}),
            ...(bytes ? { 'content-length': String(bytes.length) } : {}),
          },
        },
        (res) => {
          const type = headerText(res.headers, 'content-type');
          if (type?.startsWith('text/event-stream')) {
            // A live stream never ends by itself: its status is the answer.
            res.destroy();
            resolve({ status: res.statusCode ?? 0, contentType: type, text: '' });
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: type, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => resolve({ status: res.statusCode ?? 0, contentType: type, text: '', error: `answer cut: ${err.message}` }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (err) => resolve({ status: 0, text: '', error: err.message }));
      req.end(bytes);
    });
  }

  async function routesOfGateway(): Promise<Route[]> {
    const doc = JSON.parse((await send('GET', '/openapi.json', 'none')).text) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>;
    };
    const routes: Route[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        routes.push({
          method: method.toUpperCase(),
          template,
          pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
          body: op.requestBody ? Object.values(op.requestBody.content)[0]?.schema : undefined,
        });
      }
    }
    // Served by the gateway outside the API description.
    for (const [method, template] of [
      ['GET', '/map/{file}'],
      ['GET', '/i18n/{file}'],
      ['GET', '/asyncapi.json'],
      ['GET', '/schemas/{file}'],
      ['GET', '/health/live'],
      ['GET', '/health/ready'],
      ['GET', '/metrics'],
    ] as const) {
      if (!routes.some((r) => r.method === method && r.template === template)) routes.push({ method, template, pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]), query: [] });
    }
    return routes;
  }

  function knownValues(param: string, route: Route): string[] {
    if (param === 'file') return route.template.startsWith('/schemas') ? [`${hazardReportedTopic.topic}.json`, 'asyncapi.json'] : ['app.js', 'leaflet.js', 'index.html', 'map.en.json', 'nope.js'];
    if (param === 'sha256') return ['0'.repeat(64), createHash('sha256').update('x').digest('hex')];
    if (route.template.startsWith('/v1/tasks')) return known.taskIds;
    if (route.template.startsWith('/v1/segments')) return known.segmentIds;
    if (route.template.startsWith('/v1/jurisdictions')) return [...known.jurisdictionIds, 'east'];
    if (route.template.startsWith('/v1/crews')) return [...known.crewIds, 'crew-9'];
    return [...known.taskIds, ...known.segmentIds];
  }

  function validHazard(): fc.Arbitrary<Body> {
    return fc
      .record({
        category: fc.constantFrom('rockfall', 'pothole', 'ice', 'debris', 'flooded_road', 'other'),
        severity: fc.constantFrom('low', 'medium', 'high', 'critical'),
        at: fc.constantFrom(...ON_ROAD, { lon: 1.55, lat: 42.55 }, { lon: -3.7, lat: 40.4 }),
        description: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        note: fc.option(fc.constantFrom('tab\there', 'bell\u0007', 'emoji \ud83d\ude00', 'é'), { nil: undefined }),
      })
      .map(({ category, severity, at, description, note }) => ({
        kind: 'valid-hazard' as const,
        value: { category, severity, ...at, ...(description !== undefined || note ? { description: `${description ?? ''}${note ?? ''}` } : {}) },
      }));
  }

  let externalIds = 0;
  function validAccident(): fc.Arbitrary<Body> {
    return fc
      .record({ at: fc.constantFrom(...ON_ROAD, { lon: 1.55, lat: 42.55 }), serious: fc.nat({ max: 2 }), slight: fc.nat({ max: 3 }), vehicles: fc.integer({ min: 1, max: 4 }), n: fc.nat() })
      .map(({ at, serious, slight, vehicles, n }) => ({
        kind: 'valid-accident' as const,
        value: { ...at, deaths: 0, seriousInjuries: serious, slightInjuries: slight, propertyDamageOnly: serious + slight === 0, vehicles, externalId: `FUZZ-${id}-${n}-${externalIds++}` },
      }));
  }

  function bodyFor(route: Route): fc.Arbitrary<Body | undefined> {
    const json = (value: fc.Arbitrary<Json>) =>
      fc.tuple(value, fc.constantFrom('application/json', 'application/json', 'application/json', 'application/geo+json', 'text/plain', 'application/x-www-form-urlencoded')).map(
        ([v, contentType]) => ({ kind: 'json' as const, value: v, contentType }),
      );
    const options: { weight: number; arbitrary: fc.Arbitrary<Body | undefined> }[] = [
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: json(anyJson) },
      { weight: 1, arbitrary: fc.tuple(deepJsonText, fc.constantFrom('application/json', 'application/geo+json')).map(([text, contentType]) => ({ kind: 'raw' as const, text, contentType })) },
      { weight: 1, arbitrary: fc.tuple(hostileString, fc.constantFrom('application/json', undefined)).map(([text, contentType]) => ({ kind: 'raw' as const, text, contentType })) },
      { weight: 1, arbitrary: longString.map((s) => ({ kind: 'json' as const, value: { description: s, name: s, reason: s }, contentType: 'application/json' })) },
    ];
    if (route.body) {
      options.push({ weight: 3, arbitrary: json(fromSchema(route.body)) });
      options.push({ weight: 5, arbitrary: json(fromSchema(route.body).chain(mutate)) });
    }
    // Valid reports interleaved with the rest: each one accepted must be stored.
    if (route.method === 'POST' && route.template === '/v1/hazards') options.push({ weight: 12, arbitrary: validHazard() });
    if (route.method === 'POST' && route.template === '/v1/accidents') options.push({ weight: 12, arbitrary: validAccident() });
    return fc.oneof(...options);
  }

  function inputFor(route: Route): fc.Arbitrary<HttpInput> {
    const segment = (param: string) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...knownValues(param, route)).map((v) => percentEncode(v)) },
        { weight: 3, arbitrary: hostileString.map(percentEncode) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
        { weight: 1, arbitrary: fc.constantFrom(2_001, 20_000).map((n) => 'x'.repeat(n)) },
      );
    const queryValue = (schema?: Record<string, unknown>) =>
      fc.oneof(
        { weight: 4, arbitrary: fromSchema(schema).map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v))) },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.constantFrom('x'.repeat(5_000), '-1', '1e308', '0x10', '1.5', ' 1', '') },
      );
    const declared = route.query.map((q) => fc.option(queryValue(q.schema).map((v) => [q.name, v] as [string, string]), { nil: undefined, freq: 2 }));
    const extra = fc.array(fc.tuple(fc.oneof(hostileString, fc.constantFrom('unknown', 'limit', 'access_token', 'format', '__proto__', 'constructor')), queryValue()), { maxLength: 2 });
    return fc
      .record({
        method: fc.oneof({ weight: 8, arbitrary: fc.constant(route.method) }, { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') }),
        segments: fc.tuple(...route.pathParams.map(segment)),
        declared: fc.tuple(...declared),
        extra: fc.oneof({ weight: 4, arbitrary: fc.constant([] as [string, string][]) }, { weight: 1, arbitrary: extra }),
        token: fc.constantFrom(...TOKEN_KINDS),
        body: bodyFor(route),
      })
      .map(({ method, segments, declared: d, extra: e, token, body }) => ({
        route,
        method,
        segments: segments as string[],
        query: [...(d.filter(Boolean) as [string, string][]), ...e],
        token,
        body: ['GET', 'HEAD'].includes(method) ? undefined : body,
      }));
  }

  function targetOf(input: HttpInput): string {
    let i = 0;
    const path = input.route.template.replace(/\{\w+\}/g, () => input.segments[i++]);
    const q = input.query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
    return q ? `${path}?${q}` : path;
  }

  const http = {
    byRoute: new Map<string, Map<number, number>>(),
    failures: [] as { input: string; status: number; error?: string; body: string }[],
    sent: 0,
    resetOnLongHead: 0,
    byMethod: new Map<string, number>(),
    byToken: new Map<string, number>(),
    durationS: 0,
  };

  /**
   * Node's HTTP parser answers a request head over 16 KiB with 431 and closes the connection; a
   * client still sending its body may read the reset before the answer. Counted as that 431.
   */
  const refusedHead = (input: HttpInput, answer: Answer) => answer.status === 0 && /ECONNRESET|EPIPE/.test(answer.error ?? '') && targetOf(input).length > 15 * 1024;

  /** Whether an answer is acceptable: any status below 500, and an answer at all. */
  function record(input: HttpInput, answer: Answer): boolean {
    const label = `${input.route.method} ${input.route.template}`;
    http.byMethod.set(input.method, (http.byMethod.get(input.method) ?? 0) + 1);
    http.byToken.set(input.token, (http.byToken.get(input.token) ?? 0) + 1);
    const statuses = http.byRoute.get(label) ?? new Map<number, number>();
    const status = refusedHead(input, answer) ? 431 : answer.status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    http.byRoute.set(label, statuses);
    http.sent++;
    if (refusedHead(input, answer)) {
      http.resetOnLongHead++;
      return true;
    }
    if (answer.status >= 500 || answer.status === 0 || answer.error) {
      const { bytes } = bodyBytes(input.body);
      http.failures.push({
        input: `${input.method} ${clip(targetOf(input), 200)} token=${input.token} body=${bytes ? clip(bytes.toString('utf8'), 200) : '-'}`,
        status: answer.status,
        error: answer.error,
        body: answer.text.slice(0, 300),
      });
    }
    if (input.method === 'POST' && answer.status === 202 && /^\/v1\/(hazards|accidents)$/.test(targetOf(input).split('?')[0])) {
      const ids = JSON.parse(answer.text) as { hazardId?: string; accidentId?: string };
      if (ids.hazardId) accepted.hazards.add(ids.hazardId);
      if (ids.accidentId) accepted.accidents.add(ids.accidentId);
    }
    return answer.status > 0 && answer.status < 500 && !answer.error;
  }

  it(`answers ${HTTP_INPUTS} generated requests over every route without a 5xx`, async () => {
    const routes = await routesOfGateway();
    // Every route the README lists is in the description, the report intake and the task commands included.
    expect(routes.length).toBeGreaterThan(35);
    expect(routes.map((r) => `${r.method} ${r.template}`)).toEqual(expect.arrayContaining(['POST /v1/hazards', 'POST /v1/tasks/{id}/assign', 'GET /v1/hotspots', 'GET /v1/live', 'GET /asyncapi.json']));
    const started = Date.now();
    const input = fc.constantFrom(...routes).chain(inputFor);
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: HTTP_BATCH, maxLength: HTTP_BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((i) => send(i.method, targetOf(i), i.token, i.body)));
        return batch.map((i, n) => record(i, answers[n])).every(Boolean);
      }),
      { seed: SEED, numRuns: Math.ceil(HTTP_INPUTS / HTTP_BATCH), endOnFailure: true },
    ).catch((err: Error) => {
      // fast-check's report holds the whole failing batch (megabytes of generated text): its head, then every failure seen.
      throw new Error(`${err.message.slice(0, 1_500)}…\n\nall failures:\n${http.failures.map((f) => JSON.stringify(f)).join('\n')}`);
    });
    http.durationS = (Date.now() - started) / 1000;
    summary.http = {
      requests: http.sent,
      durationS: http.durationS,
      connectionResetOnHeadOver16KiB: http.resetOnLongHead,
      byMethod: Object.fromEntries([...http.byMethod].sort()),
      byToken: Object.fromEntries([...http.byToken].sort()),
      routes: routes.length,
      byRoute: Object.fromEntries([...http.byRoute].sort().map(([route, statuses]) => [route, Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0]))])),
      acceptedHazards: accepted.hazards.size,
      acceptedAccidents: accepted.accidents.size,
    };
    expect(http.failures).toEqual([]);
    expect(http.sent).toBeGreaterThanOrEqual(HTTP_INPUTS);
  });

  // ---------- Kafka ----------

  let fuzzCounter = 0;
  /** A UUID (v4 form) drawn from the seed and a counter, so reruns with one seed send the same ids' shapes. */
  const uuidOf = (label: string) => {
    const h = createHash('sha256').update(`${SEED}:${id}:${label}:${fuzzCounter++}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };

  const consumed = ALL_TOPICS.filter((t) => TOPIC_USE[t.topic].consumers.length > 0);
  /** The services' consumer groups per base topic, as the broker assigns them (the gateway's live feed, which only skips what it cannot read, left out). */
  const groupsByTopic = new Map<string, string[]>();
  const readers = (topic: string) => groupsByTopic.get(topic)?.length ?? 0;

  async function discoverConsumerGroups(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${id}.`) && !g.startsWith(`${id}.ingest-gateway-live`));
      const { groups: described } = await admin.describeGroups(ours);
      groupsByTopic.clear();
      for (const group of described) {
        for (const member of group.members) {
          const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
          for (const topic of Object.keys(assignment)) {
            const base = topic.slice(id.length + 1);
            const list = groupsByTopic.get(base) ?? [];
            if (!list.includes(group.groupId)) groupsByTopic.set(base, [...list, group.groupId]);
          }
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
  const isReport = (t: TopicContract) => t === hazardReportedTopic || t === accidentReportedTopic;

  function envelope(contract: TopicContract, payload: Json): Record<string, Json> {
    return { eventId: uuidOf('event'), occurredAt: new Date().toISOString(), schemaVersion: contract.schemaVersion, source: 'fuzz', correlationId: `${id}-fuzz`, payload };
  }

  /** A valid report payload drawn from the published schema, made consistent and given fresh ids. */
  function validReport(contract: TopicContract): fc.Arbitrary<Record<string, Json>> {
    const payloadSchema = (topicJsonSchema(contract).properties as Record<string, Record<string, unknown>>).payload;
    return fc.tuple(fromSchema(payloadSchema), fc.option(fc.constantFrom(...ON_ROAD), { nil: undefined, freq: 2 })).map(([raw, at]) => {
      const p: Record<string, Json> = { ...(raw as Record<string, Json>), ...(at ?? {}) };
      if (contract === hazardReportedTopic) p.hazardId = uuidOf('hazard');
      else {
        p.accidentId = uuidOf('accident');
        if (p.externalId !== undefined) p.externalId = `EXT-${uuidOf('ext')}`;
        p.propertyDamageOnly = Number(p.deaths) + Number(p.seriousInjuries) + Number(p.slightInjuries) === 0;
      }
      return envelope(contract, p);
    });
  }

  const reportId = (v: Record<string, Json>) => ((v.payload as Record<string, Json>).hazardId ?? (v.payload as Record<string, Json>).accidentId) as string;
  const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

  /** The consumer's verdict on a message, computed with the contract: the oracle for what must happen. */
  function verdict(contract: TopicContract, key: string | null, value: Buffer | null): { ok: true } | { ok: false; code: string } {
    const decoded = decodeMessage(contract, value);
    if (!decoded.ok) return { ok: false, code: decoded.code };
    return key === contract.key(decoded.value) ? { ok: true } : { ok: false, code: 'WRONG_KEY' };
  }

  function kafkaInputs(contract: TopicContract): fc.Arbitrary<Omit<KafkaInput, 'fuzzId'>[]> {
    const topic = contract.topic;
    const templates = (fixtureExamples([contract])[topic] ?? []).map((e) => e.value as Record<string, Json>);
    const template: fc.Arbitrary<Record<string, Json>> = isReport(contract) ? validReport(contract) : fc.constantFrom(...templates).map((t) => ({ ...structuredClone(t), eventId: uuidOf('event') }));
    const judged = (key: string | null, value: Buffer | null, label: string, eventId?: string): Omit<KafkaInput, 'fuzzId'> => {
      const v = verdict(contract, key, value);
      if (!v.ok) return { topic, key, value, label, eventId, expect: { kind: 'dead', codes: [v.code], attempts: ['0'] } };
      const parsed = JSON.parse(value!.toString('utf8')) as Record<string, Json>;
      // Only the report topics receive valid messages here; a valid internal event would be a real one.
      if (!isReport(contract)) throw new Error(`a valid ${topic} message was generated as poison`);
      return { topic, key, value, label, eventId, expect: { kind: 'stored', id: reportId(parsed) } };
    };
    const poison: { weight: number; arbitrary: fc.Arbitrary<Omit<KafkaInput, 'fuzzId'>[]> }[] = [
      {
        weight: 5,
        arbitrary: template.chain((t) =>
          mutate(t as Json).map((m) => {
              const key = contract.key(t as never);
              const value = bytes(m);
              // A mutation that happens to leave a valid message gets an unknown field, which never is.
              const v = verdict(contract, key, value);
              return [v.ok ? judged(key, bytes({ ...(m as object), weathr: 'rain' }), 'mutated') : judged(key, value, 'mutated', (t as { eventId: string }).eventId)];
            }),
        ),
      },
      { weight: 2, arbitrary: template.chain((t) => fc.oneof(hostileString, fc.constant(null)).map((key) => [judged(key === contract.key(t as never) ? `${key}x` : key, bytes(t), 'wrong-key')])) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
            fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b]), Buffer.from('{"eventId":'), Buffer.alloc(0), Buffer.from('null'), Buffer.from('[]'), Buffer.from('"x"'), Buffer.from('1e400')),
            deepJsonText.map((s) => Buffer.from(s)),
            anyJson.map(bytes),
            fc.constant(null),
          )
          .chain((value) => fc.oneof(fc.uuid({ version: 4 }), fc.constant(null)).map((key) => [judged(key, value, 'unparseable')])),
      },
    ];
    if (!isReport(contract)) return fc.oneof(...poison);

    const reports: { weight: number; arbitrary: fc.Arbitrary<Omit<KafkaInput, 'fuzzId'>[]> }[] = [
      ...poison,
      { weight: 6, arbitrary: template.map((t) => [judged(contract.key(t as never), bytes(t), 'valid')]) },
      {
        weight: 1,
        arbitrary: template.map((t) => {
          const key = contract.key(t as never);
          return [judged(key, bytes(t), 'redelivered'), { topic, key, value: bytes(t), label: 'redelivery', expect: { kind: 'redelivery' as const, id: reportId(t) } }];
        }),
      },
      {
        weight: 1,
        // The same eventId for another report: whichever is handled first is stored, the other dead-lettered.
        arbitrary: fc.tuple(template, template).map(([a, b]) => {
          const group = uuidOf('group');
          const second = { ...b, eventId: a.eventId };
          return [
            { topic, key: contract.key(a as never), value: bytes(a), label: 'event-id-reused', expect: { kind: 'one-of' as const, group, id: reportId(a), code: 'DUPLICATE_EVENT_ID' } },
            { topic, key: contract.key(second as never), value: bytes(second), label: 'event-id-reused', expect: { kind: 'one-of' as const, group, id: reportId(second), code: 'DUPLICATE_EVENT_ID' } },
          ];
        }),
      },
      {
        weight: 1,
        // The same report id with other content, on the same key: the second is dead-lettered.
        arbitrary: fc.tuple(template, template).map(([a, b]) => {
          const second = { ...b, payload: { ...(b.payload as object), [contract === hazardReportedTopic ? 'hazardId' : 'accidentId']: reportId(a) } };
          const key = contract.key(a as never);
          return [judged(key, bytes(a), 'report-id-reused'), { topic, key, value: bytes(second), label: 'report-id-reused', expect: { kind: 'dead' as const, codes: ['DUPLICATE_REPORT_ID'], attempts: ['1'] } }];
        }),
      },
    ];
    if (contract === accidentReportedTopic) {
      reports.push({
        weight: 1,
        arbitrary: fc.tuple(template, template).map(([a, b]) => {
          const externalId = `EXT-${uuidOf('shared')}`;
          const first = { ...a, payload: { ...(a.payload as object), externalId } };
          const second = { ...b, payload: { ...(b.payload as object), externalId } };
          const group = uuidOf('group');
          return [first, second].map((v) => ({ topic, key: contract.key(v as never), value: bytes(v), label: 'external-id-reused', expect: { kind: 'one-of' as const, group, id: reportId(v), code: 'DUPLICATE_EXTERNAL_ID' } }));
        }),
      });
    }
    return fc.oneof(...reports);
  }

  const kafkaRun = { inputs: [] as KafkaInput[], durationS: 0 };

  it(`dead-letters ${KAFKA_INPUTS} generated messages on every consumed topic with their reason, and stores every valid report`, async () => {
    // Each topic the contracts say a service consumes is read by a consumer group of the running services.
    await waitFor('a consumer group on every consumed topic', async () => {
      await discoverConsumerGroups();
      return consumed.every((c) => readers(c.topic) >= TOPIC_USE[c.topic].consumers.filter((s) => s !== 'ingest-gateway').length) ? true : undefined;
    });
    const started = Date.now();
    const perTopic = consumed.map((c) => [c, isReport(c) ? 3 : 1] as const);
    const weightSum = perTopic.reduce((s, [, w]) => s + w, 0);
    for (const [contract, weight] of perTopic) {
      const wanted = Math.round((KAFKA_INPUTS * weight) / weightSum);
      const samples = fc.sample(kafkaInputs(contract), { seed: SEED + contract.topic.length, numRuns: wanted });
      for (const group of samples) for (const m of group) kafkaRun.inputs.push({ ...m, fuzzId: kafkaRun.inputs.length });
    }
    // Per topic in generation order, in batches under the broker's request size; a message the
    // broker itself refuses (too large; no key on a compacted topic, which keeps the latest value
    // per key) never reaches a consumer and is left out of the checks.
    for (const contract of consumed) {
      const compacted = contract.retention === 'latest-per-key';
      let batch: KafkaInput[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (!batch.length) return;
        const messages = batch.map((m) => ({ key: m.key, value: m.value, headers: { 'x-fuzz-id': String(m.fuzzId), 'x-correlation-id': `${id}-fuzz` } }));
        try {
          await sendRetrying(topicName(contract, id), messages);
        } catch (err) {
          const type = (err as { type?: string }).type;
          const refused = type === 'MESSAGE_TOO_LARGE' || (type === 'INVALID_RECORD' && compacted && batch[0].key === null);
          if (!refused || batch.length !== 1) throw err;
          batch[0].refusedByBroker = true;
        }
        batch = [];
        batchBytes = 0;
      };
      for (const m of kafkaRun.inputs.filter((i) => i.topic === contract.topic)) {
        const size = m.value?.length ?? 0;
        // A message the broker may refuse goes alone, so that it fails alone.
        const alone = compacted && m.key === null;
        if (batch.length && (alone || batchBytes + size > 400_000 || batch.length >= 200)) await flush();
        batch.push(m);
        batchBytes += size;
        if (alone) await flush();
      }
      await flush();
    }
    const refused = kafkaRun.inputs.filter((m) => m.refusedByBroker);
    kafkaRun.inputs = kafkaRun.inputs.filter((m) => !m.refusedByBroker);
    await waitUntilAllConsumed();
    kafkaRun.durationS = (Date.now() - started) / 1000;

    const byFuzzId = await deadLettersByFuzzId(
      kafkaRun.inputs.reduce((n, m) => n + (m.expect.kind === 'dead' ? readers(m.topic) : 0), 0) + new Set(kafkaRun.inputs.map((m) => (m.expect.kind === 'one-of' ? m.expect.group : undefined)).filter(Boolean)).size,
    );
    const problems: string[] = [];
    const groups = new Map<string, KafkaInput[]>();
    for (const m of kafkaRun.inputs) {
      const letters = byFuzzId.get(m.fuzzId) ?? [];
      const e = m.expect;
      if (e.kind === 'dead') {
        // One dead letter from each consumer group that reads the topic (report-matched has two).
        const groupsOf = new Set(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.consumerGroup]));
        if (letters.length !== readers(m.topic) || groupsOf.size !== letters.length) {
          problems.push(`#${m.fuzzId} ${m.topic} ${m.label}: ${letters.length} dead letters from ${[...groupsOf].join(', ')}, expected one ${e.codes.join('|')} from each of ${readers(m.topic)} groups`);
        }
        for (const letter of letters) {
          if (!e.codes.includes(letter.headers[DEAD_LETTER_HEADERS.errorCode]) || !e.attempts.includes(letter.headers[DEAD_LETTER_HEADERS.attempts])) {
            problems.push(`#${m.fuzzId} ${m.topic} ${m.label}: dead-lettered ${letter.headers[DEAD_LETTER_HEADERS.errorCode]} after ${letter.headers[DEAD_LETTER_HEADERS.attempts]} attempts, expected ${e.codes.join('|')} after ${e.attempts.join('|')}: ${letter.headers[DEAD_LETTER_HEADERS.reason]}`);
          }
        }
      } else if (e.kind === 'one-of') {
        groups.set(e.group, [...(groups.get(e.group) ?? []), m]);
      } else if (letters.length) {
        problems.push(`#${m.fuzzId} ${m.topic} ${m.label}: valid, but dead-lettered ${letters[0].headers[DEAD_LETTER_HEADERS.errorCode]}: ${letters[0].headers[DEAD_LETTER_HEADERS.reason]}`);
      }
    }
    const stored = await storedReports();
    for (const members of groups.values()) {
      const inStore = members.filter((m) => stored.has((m.expect as { id: string }).id));
      const letters = members.flatMap((m) => byFuzzId.get(m.fuzzId) ?? []);
      const e = members[0].expect as { code: string };
      if (inStore.length !== 1 || letters.length !== 1 || letters[0].headers[DEAD_LETTER_HEADERS.errorCode] !== e.code || letters[0].headers[DEAD_LETTER_HEADERS.attempts] !== '1') {
        problems.push(`${members[0].label} #${members.map((m) => m.fuzzId).join(',')}: ${inStore.length} stored, dead letters ${letters.map((l) => `${l.headers[DEAD_LETTER_HEADERS.errorCode]}/${l.headers[DEAD_LETTER_HEADERS.attempts]}`).join(',') || 'none'}; expected one stored, one ${e.code}/1`);
      }
    }

    // No valid report lost, none stored from an invalid message (HTTP and Kafka together).
    const expectedStored = new Set([...accepted.hazards, ...accepted.accidents]);
    const maybe = new Set<string>();
    for (const m of kafkaRun.inputs) {
      if (m.expect.kind === 'stored' || m.expect.kind === 'redelivery') expectedStored.add(m.expect.id);
      if (m.expect.kind === 'one-of') maybe.add(m.expect.id);
    }
    const lost = [...expectedStored].filter((x) => !stored.has(x));
    const phantom = [...stored].filter((x) => !expectedStored.has(x) && !maybe.has(x));
    // No task opened by an invalid message: each task's source event and hazards are real.
    const fuzzEventIds = new Set(kafkaRun.inputs.filter((m) => m.expect.kind === 'dead').map((m) => m.eventId).filter(Boolean));
    const tasks = await query<{ id: string; source_event_id: string; hazard_ids: string[] }>(`SELECT id, source_event_id, hazard_ids FROM "${schemas.task}".task`);
    const taskFromPoison = tasks.filter((t) => fuzzEventIds.has(t.source_event_id) || t.hazard_ids.some((h) => !stored.has(h)));

    const all = deadLetters.messages;
    const codes = countBy(all, (l) => `${l.headers[DEAD_LETTER_HEADERS.errorCode]} (attempts ${l.headers[DEAD_LETTER_HEADERS.attempts]})`);
    summary.kafka = {
      messages: kafkaRun.inputs.length,
      refusedByBroker: refused.length,
      durationS: kafkaRun.durationS,
      byTopic: countBy(kafkaRun.inputs, (m) => m.topic),
      byKind: countBy(kafkaRun.inputs, (m) => `${m.topic.split('.').slice(1, 3).join('.')} ${m.label}`),
      deadLetters: all.length,
      deadLettersByCode: codes,
      consumerGroups: Object.fromEntries([...groupsByTopic].sort()),
      storedReports: stored.size,
      tasks: tasks.length,
    };
    expect(problems.slice(0, 30)).toEqual([]);
    expect({ lost, phantom, taskFromPoison }).toEqual({ lost: [], phantom: [], taskFromPoison: [] });
    // Nothing was retried: every dead letter cost its partition at most one handler attempt.
    expect(Object.keys(codes).filter((c) => !/attempts [01]\)$/.test(c) || c.startsWith('RETRIES_EXHAUSTED'))).toEqual([]);
    // Every dead letter is one of ours: nothing the services published themselves was refused.
    expect(all.filter((l) => l.headers['x-fuzz-id'] === undefined).map((l) => l.headers[DEAD_LETTER_HEADERS.reason])).toEqual([]);
  });

  it('handles a valid report behind poison on its partition after one attempt per poison message, the largest message the broker takes included', async () => {
    const partitionMetadata = Array.from({ length: hazardReportedTopic.defaultPartitions }, (_, p) => ({ partitionId: p, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionOf = (key: string) => partitioner({ topic: 'x', partitionMetadata, message: { key, value: null } });
    const [first] = fc.sample(validReport(hazardReportedTopic), { seed: SEED, numRuns: 1 });
    const key = reportId(first);
    // A report on the same partition under another key, found with the partitioner the services use.
    let behind: Record<string, Json>;
    do behind = fc.sample(validReport(hazardReportedTopic), { seed: SEED + fuzzCounter, numRuns: 1 })[0];
    while (partitionOf(reportId(behind)) !== partitionOf(key));
    const topic = topicName(hazardReportedTopic, id);
    const probeBase = 1_000_000;
    const headersOf = (n: number) => ({ 'x-fuzz-id': String(probeBase + n) });
    await producer.send({ topic, messages: [{ key, value: bytes(first), headers: headersOf(0) }] });
    await waitFor('the first report stored', async () => ((await storedReports()).has(key) ? true : undefined), { timeoutMs: DRAIN_TIMEOUT_MS });

    const other = (n: number) => ({ ...first, eventId: uuidOf('event'), payload: { ...(first.payload as object), severity: n % 2 ? 'low' : 'critical', description: `other content ${n}` } });
    const poison: { value: Buffer; code: string; attempts: string }[] = [
      ...Array.from({ length: 5 }, (_, n) => ({ value: bytes(other(n)), code: 'DUPLICATE_REPORT_ID', attempts: '1' })),
      ...Array.from({ length: 5 }, (_, n) => ({ value: bytes({ ...first, payload: { ...(first.payload as object), weathr: `rain ${n}` } }), code: 'INVALID_SCHEMA', attempts: '0' })),
    ];
    const sentAt = Date.now();
    for (const [n, p] of poison.entries()) await producer.send({ topic, messages: [{ key, value: p.value, headers: headersOf(1 + n) }] });
    // The largest value the broker takes with this key and header (message.max.bytes counts the whole batch): stepped down until taken.
    const hugeEnvelope = { ...first, eventId: uuidOf('event') };
    const hugeOf = (size: number) => bytes({ ...hugeEnvelope, payload: { ...(first.payload as object), description: 'x'.repeat(size) } });
    let huge: Buffer | undefined;
    for (let size = 1_048_588; !huge; size -= 32) {
      try {
        await producer.send({ topic, messages: [{ key, value: hugeOf(size), headers: headersOf(1 + poison.length) }] });
        huge = hugeOf(size);
      } catch (err) {
        if ((err as { type?: string }).type !== 'MESSAGE_TOO_LARGE') throw err;
      }
    }
    poison.push({ value: huge, code: 'INVALID_SCHEMA', attempts: '0' });
    await producer.send({ topic, messages: [{ key: reportId(behind), value: bytes(behind), headers: headersOf(99) }] });
    await waitFor('the report behind the poison stored', async () => ((await storedReports()).has(reportId(behind)) ? true : undefined), { timeoutMs: DRAIN_TIMEOUT_MS });
    const handledS = (Date.now() - sentAt) / 1000;
    const letters = await waitFor('a dead letter for each poison message', () => {
      const mine = poison.map((_, n) => deadLetters.messages.find((l) => l.headers['x-fuzz-id'] === String(probeBase + 1 + n)));
      return mine.every(Boolean) ? (mine as SeenMessage[]) : undefined;
    });
    summary.partitionProbe = { partition: partitionOf(key), poisonMessages: poison.length, largestValueBytes: huge.length, reportBehindHandledAfterS: handledS };
    expect(letters.map((l) => [l.headers[DEAD_LETTER_HEADERS.errorCode], l.headers[DEAD_LETTER_HEADERS.attempts]])).toEqual(poison.map((p) => [p.code, p.attempts]));
    // Its dead letter would not fit the broker with the reason headers: it goes without the value, saying its size.
    expect([letters[letters.length - 1].value, letters[letters.length - 1].headers[DEAD_LETTER_HEADERS.valueDropped]]).toEqual([null, String(huge.length)]);
  });

  afterAll(() => {
    const dir = join(REPO_ROOT, '.roadloop', 'test-logs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `fuzz-summary-${SEED}-${INPUTS}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`fuzz summary: ${file}\n`);
  });

  /**
   * The shared broker, busy with other test runs creating and deleting topics, sometimes answers a
   * metadata request for an existing topic with UNKNOWN_TOPIC_OR_PARTITION for longer than kafkajs
   * retries; the send is tried again then. Other errors (a message too large) are the caller's.
   */
  async function sendRetrying(topic: string, messages: Parameters<Producer['send']>[0]['messages']): Promise<void> {
    const outcome = await waitFor(
      `a send to ${topic}`,
      async () => {
        try {
          await producer.send({ topic, messages });
          return { error: undefined };
        } catch (err) {
          const cause = (err as { cause?: { type?: string } }).cause?.type ?? (err as { type?: string }).type;
          return cause === 'UNKNOWN_TOPIC_OR_PARTITION' || cause === 'LEADER_NOT_AVAILABLE' ? undefined : { error: err };
        }
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    if (outcome.error) throw outcome.error;
  }

  async function waitUntilAllConsumed(): Promise<void> {
    for (const contract of consumed) {
      for (const group of groupsByTopic.get(contract.topic) ?? []) await waitUntilConsumed(kafka, group, topicName(contract, id), { timeoutMs: DRAIN_TIMEOUT_MS });
    }
  }

  async function deadLettersByFuzzId(atLeast: number): Promise<Map<number, SeenMessage[]>> {
    await waitFor(`${atLeast} dead letters`, () => (deadLetters.messages.filter((l) => l.headers['x-fuzz-id'] !== undefined).length >= atLeast ? true : undefined), { timeoutMs: DRAIN_TIMEOUT_MS });
    const out = new Map<number, SeenMessage[]>();
    for (const l of deadLetters.messages) {
      const n = Number(l.headers['x-fuzz-id']);
      if (Number.isInteger(n)) out.set(n, [...(out.get(n) ?? []), l]);
    }
    return out;
  }

  async function storedReports(): Promise<Set<string>> {
    const rows = await query<{ id: string }>(`SELECT id::text FROM "${schemas.risk}".hazard UNION ALL SELECT id::text FROM "${schemas.risk}".accident`);
    return new Set(rows.map((r) => r.id));
  }
});

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Text cut to `n` characters, saying how long it was. */
function clip(text: string, n: number): string {
  return text.length <= n ? text : `${text.slice(0, n)}…(${text.length} characters)`;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort());
}
