import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { Kafka } from 'kafkajs';
import { hazardReportedTopic, reportMatchedTopic, segmentRiskChangedV2Topic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { infra, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { OwnRedis } from '../support/own-servers';
import { recordedCounts, segmentsOutOfStep, streamReports, taskCounts } from '../support/report-stream';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';

const REPORTS = Number(process.env.FAULT_REPORTS ?? 1_000);
const START = { timeoutMs: 240_000 };
jest.setTimeout(600_000);

/**
 * Redis stopped while reports stream in, on a redis-server the test runs itself: the gateway keeps
 * accepting (its rate limit fails open), the pipeline records every report, top-N reads fall back
 * to PostgreSQL; when Redis comes back — with the data it had saved, so with the scores of before
 * the outage — the ranking is rebuilt and agrees with PostgreSQL again.
 */
describe('Redis down under a stream of reports', () => {
  const id = runId('rds');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  let redis: OwnRedis;
  let common: Record<string, string>;
  let kafka: Kafka;
  const running: RunningService[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.create();
    await redis.start();
    common = { ...isolatedEnv(id), ...E2E_AUTH_ENV, REDIS_URL: redis.url };
    expect(runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk }).status).toBe(0);
    kafka = testKafka(`${id}-probe`);
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((s) => s.stop('SIGKILL')));
    redis?.destroy();
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
  });

  /** Segments whose score in the Redis ranking differs from PostgreSQL's. */
  async function rankingDifferences(): Promise<string[]> {
    const client = new Redis(redis.url, { keyPrefix: `${id}:`, maxRetriesPerRequest: 1 });
    try {
      const flat = await client.zrange('risk:ranking', '0', '-1', 'WITHSCORES');
      const ranked = new Map<string, number>();
      for (let i = 0; i < flat.length; i += 2) ranked.set(flat[i], Number(flat[i + 1]));
      const rows = await query<{ segment_id: string; score: number }>(`SELECT segment_id, score FROM "${schemas.risk}".segment_risk`);
      return rows.filter((r) => Math.abs((ranked.get(r.segment_id) ?? NaN) - Number(r.score)) > 1e-9 || Number.isNaN(ranked.get(r.segment_id) ?? NaN)).map((r) => `${r.segment_id}: ${ranked.get(r.segment_id)} in Redis, ${r.score} in PostgreSQL`);
    } finally {
      client.disconnect();
    }
  }

  it('keeps the pipeline going without Redis and rebuilds the ranking after', async () => {
    const { gateway, all } = await startStack(common, schemas, START);
    running.push(...all);
    const top = () => fetch(`${gateway.url}/v1/segments/top?limit=5`, { headers: { authorization: bearer('analyst', 'fault-test') } });
    // The ranking is in Redis before the outage (the first read builds it).
    expect((await top()).status).toBe(200);

    let stoppedAt = 0;
    const tally = await streamReports(gateway.url, {
      count: REPORTS,
      onAnswer: async (t) => {
        if (stoppedAt || t.sent % 25 !== 0 || (await recordedCounts(infra.databaseUrl, schemas.risk, [])).rows < REPORTS / 10) return;
        redis.stop();
        stoppedAt = Date.now();
      },
    });
    expect(stoppedAt).toBeGreaterThan(0);
    expect(tally.accepted).toHaveLength(REPORTS);

    // The whole stream is processed while Redis is still down.
    const t = (contract: { topic: string }) => topicName(contract, id);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, t(hazardReportedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, t(reportMatchedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.task-service`, t(segmentRiskChangedV2Topic), { timeoutMs: 300_000 });
    const recorded = await recordedCounts(infra.databaseUrl, schemas.risk, tally.accepted);
    expect(recorded).toEqual({ rows: REPORTS, distinct: REPORTS, lost: 0, unexpected: 0, unassessed: 0 });
    expect(await segmentsOutOfStep(infra.databaseUrl, schemas.risk)).toEqual([]);
    expect((await taskCounts(infra.databaseUrl, schemas.task)).duplicates).toBe(0);
    const withoutRedis = await top();
    expect(withoutRedis.status).toBe(200);

    // Back with what it had saved before the outage: the ranking it holds is out of date until rebuilt.
    await redis.start();
    const backAt = Date.now();
    await waitFor('the ranking in Redis to agree with PostgreSQL', async () => ((await rankingDifferences()).length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 250 });
    const rebuiltMs = Date.now() - backAt;
    expect(await rankingDifferences()).toEqual([]);
    process.stdout.write(`redis outage: ${REPORTS} accepted, ${recorded.rows} recorded while Redis was down (${Date.now() - stoppedAt} ms), ranking rebuilt ${rebuiltMs} ms after Redis was back\n`);
  });
});
