import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import {
  TaskChanged,
  accidentReportedTopic,
  reportMatchedTopic,
  segmentProfileTopic,
  segmentRiskChangedV2Topic,
  taskChangedTopic,
  topicName,
} from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { REPO_ROOT, freePort, isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { SegmentDetail } from '@roadloop/contracts';

/** A segment the risk service has scored (its detail as an analyst reads it, crash records included). */
type ScoredSegment = SegmentDetail & { risk: NonNullable<SegmentDetail['risk']>; crashes: NonNullable<SegmentDetail['crashes']> };

jest.setTimeout(180_000);


/**
 * The risk side of the loop through real Kafka, PostGIS and Redis: accidents and hazards move a
 * segment's live risk, duplicates are linked, unmatched reports are kept, a verified fix resolves
 * its hazards and brings the risk down, and rankings survive Redis being emptied or unreachable.
 */
describe('risk loop: reports, duplicates, verified fixes and rankings', () => {
  const id = runId('risk');
  const schema = `risk_${id}`;
  const common = {
    ...isolatedEnv(id),
    DB_SCHEMA: schema,
    PROFILE_RELAY_MS: '200',
    ...E2E_AUTH_ENV,
  };
  const dispatcher = { authorization: bearer('dispatcher', 'dispatcher-1') };
  const analyst = { authorization: bearer('analyst', 'analyst-1') };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let risk: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let matched: TopicRecorder;
  let changes: TopicRecorder;
  let profiles: TopicRecorder;

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], common);
    expect(imported.status).toBe(0);
    risk = await startService('risk-service', await freePort(), common);
    services.push(risk);
    gateway = await startService('ingest-gateway', await freePort(), { ...common, RISK_SERVICE_URL: risk.url });
    services.push(gateway);
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
    matched = new TopicRecorder(kafka, topicName(reportMatchedTopic, id), `${id}-probe-matched`);
    changes = new TopicRecorder(kafka, topicName(segmentRiskChangedV2Topic, id), `${id}-probe-changes`);
    profiles = new TopicRecorder(kafka, topicName(segmentProfileTopic, id), `${id}-probe-profiles`);
    await Promise.all([matched.start(), changes.start(), profiles.start()]);
  });

  afterAll(async () => {
    await Promise.allSettled([matched?.stop(), changes?.stop(), profiles?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schema]);
    await deleteRedisPrefix(`${id}:`);
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const detail = async (segmentId: string) =>
    (await (await fetch(`${gateway.url}/v1/segments/${segmentId}`, { headers: analyst })).json()) as ScoredSegment;
  const hazard = async (body: Record<string, unknown>) => {
    const res = await post('/v1/hazards', body);
    expect(res.status).toBe(202);
    return ((await res.json()) as { hazardId: string }).hazardId;
  };

  it('announces the profile of every imported segment for the other services', async () => {
    await waitFor('three profiles', () => (profiles.messages.length >= 3 ? true : undefined));
    const riverside = JSON.parse(profiles.messages.find((m) => m.key === 'w900001-0')!.value!.toString());
    expect(riverside.payload).toMatchObject({ segmentId: 'w900001-0', waterSide: 'right', waterDistanceM: 8, roadClass: 'primary' });
  });

  it('records a crash posted over HTTP once, however often the police system sends it, and lets it move the risk', async () => {
    const inconsistent = {
      occurredAt: '2026-11-20T17:00:00Z', lon: 1.5223, lat: 42.50665, deaths: 1, seriousInjuries: 0, slightInjuries: 0,
      propertyDamageOnly: true, vehicles: 1,
    };
    expect((await post('/v1/accidents', inconsistent)).status).toBe(401);
    expect((await post('/v1/accidents', inconsistent, { authorization: bearer('crew', 'crew-user', 'crew-1') })).status).toBe(403);
    const bad = await post('/v1/accidents', inconsistent, dispatcher);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(['propertyDamageOnly']);

    const crash = {
      externalId: `AD-${id}`, occurredAt: new Date(Date.now() - 86_400_000).toISOString(), lon: 1.5223, lat: 42.50665,
      deaths: 0, seriousInjuries: 2, slightInjuries: 1, propertyDamageOnly: false, vehicles: 2, weather: 'rain',
    };
    expect((await post('/v1/accidents', crash, dispatcher)).status).toBe(202);
    expect((await post('/v1/accidents', crash, dispatcher)).status).toBe(202);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, topicName(accidentReportedTopic, id));
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, topicName(reportMatchedTopic, id));
    const d = await detail('w900001-1');
    expect(d.crashes).toHaveLength(1);
    expect(d.crashes[0]).toMatchObject({ externalId: `AD-${id}`, severity: 'serious' });
    // Expected fatal and serious crashes per km-year: traffic × the crash history's EB ratio × the severity share.
    expect(d.risk.factors.map((f) => f.factor)).toEqual(['traffic', 'crashes', 'severity']);
    expect(d.risk.factors[1].detail).toMatch(/^1 crash\(es\) within 274 m in 3 years \(0 fatal, 1 serious/);
    expect(d.risk.score).toBeGreaterThan(0.0394);
    expect(d.risk.level).toBe('medium');
  });

  it('keeps a report that matches no road, and lists it', async () => {
    const far = await hazard({ category: 'debris', severity: 'low', lon: 1.7, lat: 42.62 });
    const unmatched = await waitFor('the unmatched report', async () => {
      const body = (await (await fetch(`${gateway.url}/v1/reports/unmatched`, { headers: dispatcher })).json()) as { hazards: { id: string }[] };
      return body.hazards.some((h) => h.id === far) ? body : undefined;
    });
    expect(unmatched.hazards.find((h) => h.id === far)).toMatchObject({ segmentId: null, status: 'open' });
  });

  it('links a second report of the same hazard nearby instead of counting it twice', async () => {
    const first = await hazard({ category: 'pothole', severity: 'medium', lon: 1.5806, lat: 42.53435 });
    await waitFor('the first pothole assessed', async () => ((await detail('w900002-0')).openHazards.some((h) => h.id === first) ? true : undefined));
    const second = await hazard({ category: 'pothole', severity: 'medium', lon: 1.58065, lat: 42.5344 });
    const d = await waitFor('the second pothole linked', async () => {
      const body = await detail('w900002-0');
      return body.hazards.find((h) => h.id === second)?.status === 'duplicate' ? body : undefined;
    });
    expect(d.hazards.find((h) => h.id === second)).toMatchObject({ duplicateOf: first });
    expect(d.openHazards.map((h) => h.id)).toEqual([first]);
    expect(d.risk.factors.filter((f) => f.factor === 'hazard' && f.hazardCategory === 'pothole')).toHaveLength(1);
  });

  it('resolves the hazards of a verified fix, lowers the risk, and ignores redelivered and stale task events', async () => {
    const rockfall = await hazard({ category: 'rockfall', severity: 'critical', lon: 1.521, lat: 42.50575 });
    // The critical rockfall multiplies the expected crashes by 2.2: medium → high, with a red alarm.
    const raised = await waitFor('w900001-0 raised by the rockfall', () =>
      changes.messages.map((m) => JSON.parse(m.value!.toString())).find((e) => e.payload.segmentId === 'w900001-0' && e.payload.cause?.id === rockfall),
    );
    expect(raised.payload).toMatchObject({ level: 'high', alarm: 'red', cause: { kind: 'hazard', id: rockfall } });
    expect(raised.payload.factors).toContainEqual(expect.objectContaining({ factor: 'hazard', hazardCategory: 'rockfall', value: 2.2 }));
    // A landslide on the same stretch that the task never listed (its report reached the task
    // service late): the rockfall clearing covers it too. A pothole is another matter.
    const landslide = await hazard({ category: 'landslide', severity: 'low', lon: 1.5211, lat: 42.50576 });
    const pothole = await hazard({ category: 'pothole', severity: 'low', lon: 1.5212, lat: 42.50577 });
    // Stored, scored and announced, so that the fix below is the only change of w900001-0 in flight
    // (a hazard's run and the fix's run may otherwise both announce the same level change).
    await waitFor('both further hazards on w900001-0, scored and announced', async () => {
      const d = await detail('w900001-0');
      const ids = d.hazards.map((h) => h.id);
      const scored = ['landslide', 'pothole'].every((c) => d.risk.factors.some((f) => f.factor === 'hazard' && f.hazardCategory === c));
      const announced = changes.messages
        .map((m) => JSON.parse(m.value!.toString()))
        .filter((e) => e.payload.segmentId === 'w900001-0')
        .at(-1);
      return ids.includes(landslide) && ids.includes(pothole) && scored && announced?.payload.level === d.risk.level ? true : undefined;
    });

    const taskId = randomUUID();
    const event = (change: Partial<TaskChanged>) => ({
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      source: 'task-service',
      correlationId: `${id}-fix`,
      payload: {
        taskId, segmentId: 'w900001-0', change: 'verified', status: 'verified', previousStatus: 'submitted',
        countermeasure: 'rockfall_clearing', side: null, priority: 'p1', hazardIds: [rockfall], jurisdictionId: null,
        crewId: 'crew-1', actor: { role: 'inspector', id: 'insp-1' }, reason: null, fixFailed: false,
        dueAt: new Date(Date.now() + 86_400_000).toISOString(), version: 6, ...change,
      } satisfies TaskChanged,
    });
    const send = (values: object[]) =>
      producer.send({ topic: topicName(taskChangedTopic, id), messages: values.map((v) => ({ key: 'w900001-0', value: JSON.stringify(v) })) });
    const verified = event({});
    await send([verified, verified, event({ change: 'submitted', status: 'submitted', previousStatus: 'in_progress', version: 5 })]);

    const lowered = await waitFor('the fix announced', () =>
      changes.messages.map((m) => JSON.parse(m.value!.toString())).find((e) => e.payload.segmentId === 'w900001-0' && e.payload.cause?.kind === 'fix'),
    );
    const announcedBefore = changes.messages
      .map((m) => JSON.parse(m.value!.toString()))
      .filter((e) => e.payload.segmentId === 'w900001-0' && e.payload.cause?.kind !== 'fix')
      .at(-1);
    expect(lowered.payload).toMatchObject({ previousLevel: announcedBefore.payload.level, level: 'medium', cause: { kind: 'fix', id: taskId } });
    const d = await detail('w900001-0');
    expect(d.hazards.find((h) => h.id === rockfall)).toMatchObject({ status: 'resolved' });
    expect(d.hazards.find((h) => h.id === landslide)).toMatchObject({ status: 'resolved' });
    expect(d.hazards.find((h) => h.id === pothole)).toMatchObject({ status: 'open' });
    expect(d.verifiedCountermeasures).toEqual([expect.objectContaining({ taskId, countermeasure: 'rockfall_clearing' })]);
    // The stale 'submitted' (version 5) arrived after 'verified' (version 6) and changed nothing.
    expect(d.risk.level).toBe('medium');
  });

  it('serves rankings from Redis, rebuilds them when Redis was emptied, and falls back to PostgreSQL when Redis is down', async () => {
    expect((await fetch(`${risk.url}/v1/segments/top?limit=3`)).status).toBe(401);
    const top = async (base: string) =>
      (await (await fetch(`${base}/v1/segments/top?limit=3`, { headers: analyst })).json()) as { source: string; items: { segmentId: string; score: number }[] };
    const before = await top(risk.url);
    expect(before.source).toBe('redis');
    expect(before.items.map((i) => i.score)).toEqual([...before.items.map((i) => i.score)].sort((a, b) => b - a));

    await deleteRedisPrefix(`${id}:`);
    const rebuilt = await top(risk.url);
    expect(rebuilt).toEqual(before);

    const noRedis = await startService('risk-service', await freePort(), {
      ...common,
      KAFKA_TOPIC_PREFIX: `${id}-noredis`,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    services.push(noRedis);
    // Ready without Redis: it is reported down, but the service works on with PostgreSQL.
    const health = await fetch(`${noRedis.url}/health/ready`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { checks: Record<string, { status: string }> }).checks.redis).toMatchObject({ status: 'down' });
    const fallback = await top(noRedis.url);
    expect(fallback.source).toBe('database');
    // The same ranking, item for item (rank, score, level, road, jurisdiction, factors), as Redis gave.
    expect(fallback.items).toEqual(before.items);
    // Stopped here: on the same schema, its relay would take the next tests' re-imports and re-scores
    // and announce them on its own topics.
    await noRedis.stop();
    services.splice(services.indexOf(noRedis), 1);
    if (kafka) await deleteTopicsWithPrefix(kafka, `${id}-noredis`);
  });

  it('recomputes and announces the live risk of a segment whose traffic count a re-import brought, keeping its id and showing its design rating apart', async () => {
    const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'services/risk-service/fixtures/sample-segments.geojson'), 'utf8'));
    fixture.features[2].properties.exposureScore = 45;
    fixture.features[2].properties.exposureLevel = 'very_high';
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-'));
    const file = join(dir, 'segments.geojson');
    writeFileSync(file, JSON.stringify(fixture));
    const counts = join(dir, 'counts.csv');
    writeFileSync(counts, 'id,aadt\nw900002-0,20000\n');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'services/risk-service/dist/cli.js'), ...args], { env: { ...process.env, ...common }, encoding: 'utf8' });
    writeFileSync(join(dir, 'bad.csv'), 'w900002-0,lots\n');
    const refused = cli(['import', '--geojson', file, '--aadt', join(dir, 'bad.csv')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/bad\.csv:1: aadt "lots" is not a number/);
    const imported = cli(['import', '--geojson', file, '--aadt', counts]);
    expect(imported.stdout).toMatch(/\(0 new, 3 updated, 0 rejected\)/);
    // Ten times the traffic assumed for a secondary road (2,000 a day): low → medium.
    const announced = await waitFor('the re-import announced', () =>
      changes.messages.map((m) => JSON.parse(m.value!.toString())).find((e) => e.payload.cause?.kind === 'import'),
    );
    expect(announced.payload).toMatchObject({ segmentId: 'w900002-0', previousLevel: 'low', level: 'medium', cause: { kind: 'import', id: 'w900002-0' } });
    const d = await detail('w900002-0');
    expect(d.risk.factors[0]).toMatchObject({ factor: 'traffic', value: 3.32, detail: expect.stringMatching(/AADT 20000 \(counted\)/) });
    // The worse exposure score is the design rating (1 star), not the live level.
    expect(d.designRating).toEqual({ score: 45, level: 'very_high', stars: 1, range: null });
    expect(d.risk.level).toBe('medium');
  });

  it('re-scores segments scored by another risk model version on command, announcing each level change once', async () => {
    // As if this segment had been scored (and announced) by an earlier model.
    await query(
      `UPDATE "${schema}".segment_risk SET model_version = '1.0.0', level = 'very_high', published_level = 'very_high', score = 50
        WHERE segment_id = 'w900001-1'`,
    );
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'services/risk-service/dist/cli.js'), 'rescore'], { env: { ...process.env, ...common }, encoding: 'utf8' });
    expect(cli.stdout).toMatch(/^marked 1 segments in schema .* for re-scoring with risk model 2\.0\.0/);
    const modelChanges = () => changes.messages.map((m) => JSON.parse(m.value!.toString())).filter((e) => e.payload.cause?.kind === 'model');
    const rescored = await waitFor('the model re-score announced', () => (modelChanges().length ? modelChanges() : undefined));
    expect(rescored).toHaveLength(1);
    expect(rescored[0].payload).toMatchObject({ segmentId: 'w900001-1', previousLevel: 'very_high', level: 'medium', modelVersion: '2.0.0', cause: { kind: 'model', id: '2.0.0' } });
    // Nothing left to re-score: a second command marks nothing and announces nothing more.
    const again = spawnSync(process.execPath, [join(REPO_ROOT, 'services/risk-service/dist/cli.js'), 'rescore'], { env: { ...process.env, ...common }, encoding: 'utf8' });
    expect(again.stdout).toMatch(/^marked 0 segments/);
    expect(modelChanges()).toHaveLength(1);
  });
});
