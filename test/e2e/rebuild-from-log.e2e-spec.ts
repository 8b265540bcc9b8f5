import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import {
  ALL_TOPICS,
  accidentReportedTopic,
  hazardReportedTopic,
  reportMatchedTopic,
  roadsideInventoryChangedTopic,
  segmentJurisdictionTopic,
  taskChangedTopic,
  topicName,
} from '@roadloop/contracts';
import { EventPublisher } from '@roadloop/kafka';
import { E2E_AUTH_ENV } from '../support/auth-tokens';
import { freePort, infra, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';

jest.setTimeout(300_000);

const DAY_MS = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
/** Stored scores are rounded to 1e-6 FSI/km·yr; a rebuild may differ by one step (docs/log-as-system-of-record.md). */
const SCORE_STEP = 1e-6;

/**
 * The log as the system of record, through the real broker, database and Redis: a live risk
 * service takes a small history (hazards, one a duplicate, one redelivered; crashes; a verified fix;
 * a roadside survey; a jurisdiction; a poison message), then `risk-service rebuild` replays the
 * topics into a fresh schema, which must hold the same risk, hazards, crashes and ranking while
 * nothing is published. The same history replayed with another risk model is compared with
 * `risk-service compare`.
 */
describe('risk-service rebuild: the same state from the log', () => {
  const id = runId('rbld');
  const live = `risk_${id}`;
  const rebuilt = `rb_${id}`;
  const scratch = `rs_${id}`;
  const common = { ...isolatedEnv(id), ...E2E_AUTH_ENV };
  const env = { ...common, DB_SCHEMA: live };
  let service: RunningService | undefined;
  let kafka: Kafka;
  let publisher: EventPublisher;
  let producer: Producer;
  let redis: Redis;
  const hazard = { first: randomUUID(), duplicate: randomUUID(), pothole: randomUUID() };

  beforeAll(async () => {
    expect(runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], env).status).toBe(0);
    service = await startService('risk-service', await freePort(), env);
    kafka = testKafka(`${id}-probe`);
    // Events as the gateway and the task service publish them, through the product's own publisher.
    publisher = new EventPublisher(kafka, id, 'e2e');
    producer = kafka.producer();
    await Promise.all([publisher.connect(), producer.connect()]);
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.allSettled([publisher?.disconnect(), producer?.disconnect()]);
    redis?.disconnect();
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([live, rebuilt, scratch]);
    await deleteRedisPrefix(`${id}:`);
  });

  const group = (name: string) => `${id}.risk-service.${name}`;
  const topic = (contract: { topic: string }) => topicName(contract, id);

  async function highWatermarks(): Promise<Record<string, string>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const marks: Record<string, string> = {};
      for (const contract of ALL_TOPICS) {
        const name = topic(contract);
        if (!(await admin.listTopics()).includes(name)) continue;
        for (const p of await admin.fetchTopicOffsets(name)) marks[`${name}:${p.partition}`] = p.high;
      }
      return marks;
    } finally {
      await admin.disconnect();
    }
  }

  it('keeps the history of the topics it is built from: created with unlimited retention, or compacted', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [hazardReportedTopic, taskChangedTopic, segmentJurisdictionTopic].map((c) => ({ type: ConfigResourceTypes.TOPIC, name: topic(c) })),
      });
      const setting = (name: string, key: string) => resources.find((r) => r.resourceName === name)!.configEntries.find((e) => e.configName === key)?.configValue;
      expect([setting(topic(hazardReportedTopic), 'retention.ms'), setting(topic(hazardReportedTopic), 'cleanup.policy')]).toEqual(['-1', 'delete']);
      expect([setting(topic(taskChangedTopic), 'retention.ms'), setting(topic(taskChangedTopic), 'message.timestamp.type')]).toEqual(['-1', 'LogAppendTime']);
      expect(setting(topic(segmentJurisdictionTopic), 'cleanup.policy')).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('rebuilds a fresh schema equal to the live one, publishing nothing', async () => {
    const correlation = { correlationId: `e2e-${id}` };
    // Reports: a rockfall on w900001-0 and its duplicate 10 m away, a critical pothole on w900002-0, two crashes on way 900001.
    await publisher.publish(hazardReportedTopic, { hazardId: hazard.first, category: 'rockfall', severity: 'high', lon: 1.521, lat: 42.5057, reportedAt: ago(10) }, correlation);
    await publisher.publish(hazardReportedTopic, { hazardId: hazard.duplicate, category: 'rockfall', severity: 'high', lon: 1.52112, lat: 42.50575, reportedAt: ago(9) }, correlation);
    const pothole = await publisher.publish(hazardReportedTopic, { hazardId: hazard.pothole, category: 'pothole', severity: 'critical', lon: 1.5806, lat: 42.53435, reportedAt: ago(5) }, correlation);
    const crash = (days: number, deaths: number, serious: number, lon: number, lat: number) => ({
      accidentId: randomUUID(), occurredAt: ago(days), lon, lat, deaths, seriousInjuries: serious, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1,
    });
    await publisher.publish(accidentReportedTopic, crash(120, 0, 2, 1.5223, 42.50665), correlation);
    await publisher.publish(accidentReportedTopic, crash(30, 1, 0, 1.5205, 42.5053), correlation);
    // The pothole delivered twice, and a message no consumer can read: both live and rebuild take it once, and refuse the poison.
    await producer.send({ topic: topic(hazardReportedTopic), messages: [{ key: hazard.pothole, value: JSON.stringify(pothole) }, { key: 'poison', value: '{not json' }] });
    for (const c of [hazardReportedTopic, accidentReportedTopic]) await waitUntilConsumed(kafka, group('intake'), topic(c), { timeoutMs: 60_000 });
    await waitUntilConsumed(kafka, group('segments'), topic(reportMatchedTopic), { timeoutMs: 60_000 });

    // After the reports: the rockfall cleared and verified, the river side surveyed, a jurisdiction assigned.
    const task = (change: 'created' | 'verified', version: number) => ({
      taskId, segmentId: 'w900001-0', change, status: change, previousStatus: change === 'created' ? null : ('submitted' as const),
      countermeasure: 'rockfall_clearing' as const, side: null, priority: 'p2' as const, hazardIds: [hazard.first], jurisdictionId: null, crewId: null,
      actor: { role: 'dispatcher', id: 'dora' }, reason: null, fixFailed: false, dueAt: ago(-7), version,
    });
    const taskId = randomUUID();
    await publisher.publish(taskChangedTopic, task('created', 1), correlation);
    await publisher.publish(taskChangedTopic, task('verified', 2), correlation);
    await publisher.publish(roadsideInventoryChangedTopic, { segmentId: 'w900002-0', sides: [{ side: 'right', status: 'present', source: 'crew_survey', observedAt: ago(1) }] }, correlation);
    await publisher.publish(segmentJurisdictionTopic, { segmentId: 'w900001-0', jurisdictionId: 'west', jurisdictionName: 'West township', revision: 1 }, correlation);
    await waitUntilConsumed(kafka, group('segments'), topic(taskChangedTopic), { timeoutMs: 60_000 });
    await waitUntilConsumed(kafka, group('roadside'), topic(roadsideInventoryChangedTopic), { timeoutMs: 60_000 });
    await waitUntilConsumed(kafka, group('jurisdictions'), topic(segmentJurisdictionTopic), { timeoutMs: 60_000 });
    await service!.stop();
    service = undefined;

    const before = await highWatermarks();
    const run = runServiceCli('risk-service', ['rebuild', '--schema', rebuilt], env);
    expect(run.stderr).toMatch(/refused roadloop\.hazard\.reported\.v1\[\d+\]@\d+: UNPARSEABLE/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`rebuilt schema ${rebuilt} from schema ${live}'s 3 segments and 11 messages .*1 refused .*with risk model 2\\.0\\.0`));
    expect(run.stdout).toContain(`Redis prefix ${id}:rebuild:${rebuilt}:`);
    expect(await highWatermarks()).toEqual(before);

    // The live state is not trivial: a duplicate linked to its original, both resolved by the verified fix, counted crashes, alarms.
    const hazards = (schema: string) => query(`SELECT id, segment_id, status, duplicate_of, resolved_by_task FROM "${schema}".hazard ORDER BY id`);
    const liveHazards = await hazards(live);
    expect(liveHazards.find((h) => h.id === hazard.duplicate)?.duplicate_of).toBe(hazard.first);
    expect(liveHazards.map((h) => [h.status, h.resolved_by_task !== null]).sort()).toEqual([['open', false], ['resolved', true], ['resolved', true]]);
    expect(await hazards(rebuilt)).toEqual(liveHazards);
    const accidents = (schema: string) => query(`SELECT id, segment_id, deaths, serious_injuries FROM "${schema}".accident ORDER BY id`);
    expect((await accidents(live)).map((a) => a.segment_id).sort()).toEqual(['w900001-0', 'w900001-1']);
    expect(await accidents(rebuilt)).toEqual(await accidents(live));
    const sideRows = (schema: string) => query(`SELECT segment_id, side, status, source FROM "${schema}".segment_roadside ORDER BY segment_id, side`);
    expect(await sideRows(rebuilt)).toEqual(await sideRows(live));

    const risks = (schema: string) => query<{ segment_id: string; score: number; level: string; alarm: string; model_version: string }>(
      `SELECT segment_id, score, level, alarm, model_version FROM "${schema}".segment_risk ORDER BY segment_id`,
    );
    const liveRisk = await risks(live);
    const rebuiltRisk = await risks(rebuilt);
    expect(liveRisk.map((r) => r.alarm)).toContain('red');
    expect(rebuiltRisk.map(({ score: _s, ...rest }) => rest)).toEqual(liveRisk.map(({ score: _s, ...rest }) => rest));
    rebuiltRisk.forEach((r, i) => expect(Math.abs(r.score - liveRisk[i].score)).toBeLessThanOrEqual(SCORE_STEP));

    // The ranking: the same segments in the same order with the same scores, and the jurisdiction's facet.
    const ranking = async (prefix: string) => {
      const flat = await redis.zrevrange(`${prefix}risk:ranking`, 0, -1, 'WITHSCORES');
      return Array.from({ length: flat.length / 2 }, (_, i) => ({ segmentId: flat[2 * i], score: Number(flat[2 * i + 1]) }));
    };
    const liveRanking = await ranking(`${id}:`);
    const rebuiltRanking = await ranking(`${id}:rebuild:${rebuilt}:`);
    expect(liveRanking).toHaveLength(3);
    expect(rebuiltRanking.map((r) => r.segmentId)).toEqual(liveRanking.map((r) => r.segmentId));
    rebuiltRanking.forEach((r, i) => expect(Math.abs(r.score - liveRanking[i].score)).toBeLessThanOrEqual(SCORE_STEP));
    expect(await redis.zrange(`${id}:rebuild:${rebuilt}:risk:ranking:jurisdiction:west`, '0', '-1')).toEqual(await redis.zrange(`${id}:risk:ranking:jurisdiction:west`, '0', '-1'));
  });

  it('refuses to overwrite a schema, or to rebuild into the live one, without being told', () => {
    const again = runServiceCli('risk-service', ['rebuild', '--schema', rebuilt], env);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`schema ${rebuilt} exists; choose a fresh name, or --replace to drop it first`);
    const intoLive = runServiceCli('risk-service', ['rebuild', '--schema', live], env);
    expect(intoLive.status).toBe(2);
    expect(intoLive.stderr).toContain(`--schema must not be the live schema ${live}`);
    const unknownModel = runServiceCli('risk-service', ['rebuild', '--schema', scratch, '--model', '7.0.0'], env);
    expect(unknownModel.status).toBe(2);
    expect(unknownModel.stderr).toContain('--model: unknown risk model 7.0.0');
  });

  it('replays the same history with another risk model into a scratch schema, and compares the two rankings', async () => {
    const run = runServiceCli('risk-service', ['rebuild', '--schema', scratch, '--model', '2.0.0-recent-crashes'], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('with risk model 2.0.0-recent-crashes');
    const rows = (schema: string) => query<{ segment_id: string; score: number; level: string; model_version: string }>(
      `SELECT segment_id, score, level, model_version FROM "${schema}".segment_risk ORDER BY score DESC, segment_id COLLATE "C" DESC`,
    );
    const base = await rows(rebuilt);
    const other = await rows(scratch);
    expect(new Set(other.map((r) => r.model_version))).toEqual(new Set(['2.0.0-recent-crashes']));
    // The same hazards and crashes, weighed otherwise: every score moves (the prediction's effective years change too).
    const baseScore = new Map(base.map((r) => [r.segment_id, r.score]));
    for (const r of other) expect(r.score).not.toBe(baseScore.get(r.segment_id));
    expect(await query(`SELECT id, status FROM "${scratch}".hazard ORDER BY id`)).toEqual(await query(`SELECT id, status FROM "${rebuilt}".hazard ORDER BY id`));

    const compared = runServiceCli('risk-service', ['compare', '--schema', scratch, '--against', rebuilt, '--top', '2', '--format', 'json'], env);
    expect(compared.status).toBe(0);
    const report = JSON.parse(compared.stdout) as {
      base: { schema: string; models: string[] };
      other: { schema: string; models: string[] };
      segments: number;
      spearman: number | null;
      top: { base: string[]; other: string[]; overlap: number };
      moved: { segmentId: string; from: string; to: string }[];
    };
    expect(report.base).toEqual({ schema: rebuilt, models: ['2.0.0'] });
    expect(report.other).toEqual({ schema: scratch, models: ['2.0.0-recent-crashes'] });
    expect(report.segments).toBe(3);
    expect(report.top.base).toEqual(base.slice(0, 2).map((r) => r.segment_id));
    expect(report.top.other).toEqual(other.slice(0, 2).map((r) => r.segment_id));
    const otherLevel = new Map(other.map((r) => [r.segment_id, r.level]));
    expect(report.moved.map((m) => [m.segmentId, m.from, m.to]).sort()).toEqual(
      base.filter((r) => otherLevel.get(r.segment_id) !== r.level).map((r) => [r.segment_id, r.level, otherLevel.get(r.segment_id)]).sort(),
    );
    const sameOrder = base.map((r) => r.segment_id).join() === other.map((r) => r.segment_id).join();
    if (sameOrder) expect(report.spearman).toBe(1);
    else expect(report.spearman).toBeLessThan(1);

    const text = runServiceCli('risk-service', ['compare', '--schema', scratch, '--against', rebuilt], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`${rebuilt} (risk model 2.0.0) → ${scratch} (risk model 2.0.0-recent-crashes)`);
    expect(text.stdout).toMatch(/Spearman rank correlation: -?[\d.]+/);
  });
});
