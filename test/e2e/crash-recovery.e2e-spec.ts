import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { hazardReportedTopic, topicName } from '@roadloop/contracts';
import { REPO_ROOT, freePort, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

const SEGMENTS = ['w900001-0', 'w900001-1', 'w900002-0'];
const POINTS: Record<string, [number, number]> = {
  'w900001-0': [1.521, 42.50575],
  'w900001-1': [1.5223, 42.50665],
  'w900002-0': [1.5806, 42.5343],
};

/**
 * A risk service killed (SIGKILL) in the middle of a stream of reports resumes from its last
 * committed offsets: every report ends up recorded exactly once, and every segment's score is the
 * one a fresh computation gives.
 */
describe('crash recovery of the risk service', () => {
  const id = runId('crash');
  const schema = `risk_${id}`;
  const env = {
    ...isolatedEnv(id),
    DB_SCHEMA: schema,
    // The killed member's partitions move to the new one once its session times out.
    KAFKA_SESSION_TIMEOUT_MS: '8000',
  };
  let kafka: Kafka;
  let producer: Producer;
  const running: RunningService[] = [];

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], env);
    expect(imported.status).toBe(0);
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.allSettled(running.map((s) => s.stop('SIGKILL')));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schema]);
    await deleteRedisPrefix(`${id}:`);
  });

  it('loses and doubles nothing when killed mid-stream', async () => {
    const first = await startService('risk-service', await freePort(), env);
    running.push(first);
    const reports = Array.from({ length: 1_200 }, (_, i) => {
      const segment = SEGMENTS[i % SEGMENTS.length];
      const [lon, lat] = POINTS[segment];
      return {
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        schemaVersion: 1,
        source: 'load-test',
        correlationId: `${id}-${i}`,
        payload: {
          hazardId: randomUUID(),
          // Categories cycle so that duplicates (same category nearby) and distinct hazards both occur.
          category: (['pothole', 'debris', 'ice', 'rockfall', 'other'] as const)[i % 5],
          severity: (['low', 'medium', 'high'] as const)[i % 3],
          lon: lon + (i % 7) * 0.00005,
          lat,
          reportedAt: new Date(Date.now() - i * 60_000).toISOString(),
        },
      };
    });
    const topic = topicName(hazardReportedTopic, id);
    const send = async (part: typeof reports) => {
      for (let i = 0; i < part.length; i += 50) {
        await producer.send({ topic, messages: part.slice(i, i + 50).map((r) => ({ key: r.payload.hazardId, value: JSON.stringify(r) })) });
      }
    };
    // Most of the stream goes in while the first instance runs; it is killed as soon as part of it is
    // in the database, most likely with a run under way (whose reports come again). The rest arrives
    // while no instance runs, so the kill always comes before the end of the stream.
    const whileRunning = reports.slice(0, 900);
    await send(whileRunning);
    await waitFor('some reports recorded', async () => {
      const [{ n }] = await query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".hazard`);
      return Number(n) >= 30 ? true : undefined;
    }, { intervalMs: 20 });
    await first.stop('SIGKILL');
    const [{ n: atKill }] = await query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".hazard`);
    expect(Number(atKill)).toBeLessThanOrEqual(whileRunning.length);
    await send(reports.slice(whileRunning.length));

    const second = await startService('risk-service', await freePort(), env);
    running.push(second);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, topic);
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, topicName({ topic: 'roadloop.segment.report-matched.v1' }, id));

    const [{ n, distinct }] = await query<{ n: string; distinct: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS distinct FROM "${schema}".hazard`,
    );
    expect(Number(n)).toBe(reports.length);
    expect(Number(distinct)).toBe(reports.length);
    const [{ unmatched }] = await query<{ unmatched: string }>(`SELECT count(*) AS unmatched FROM "${schema}".hazard WHERE segment_id IS NULL`);
    expect(Number(unmatched)).toBe(0);
    const unassessed = await query(`SELECT id FROM "${schema}".hazard WHERE segment_id IS NOT NULL AND assessed_at IS NULL`);
    expect(unassessed).toEqual([]);

    // Each segment's stored score is the product of its factors, one per open (non-duplicate) hazard.
    const rows = await query<{ segment_id: string; score: number; factors: { factor: string; value: number; hazardCategory?: string }[] }>(
      `SELECT segment_id, score, factors FROM "${schema}".segment_risk ORDER BY segment_id`,
    );
    const open = await query<{ segment_id: string; n: string }>(
      `SELECT segment_id, count(*) AS n FROM "${schema}".hazard WHERE status = 'open' GROUP BY segment_id`,
    );
    for (const row of rows) {
      const hazardFactors = row.factors.filter((f) => f.factor === 'hazard' && f.hazardCategory !== undefined);
      expect(hazardFactors.length).toBe(Number(open.find((o) => o.segment_id === row.segment_id)?.n ?? 0));
      const product = row.factors.reduce((s, f) => s * f.value, 1);
      expect(Math.abs(product - Number(row.score))).toBeLessThanOrEqual(Number(row.score) * 0.0005 * row.factors.length + 1e-6);
    }
  });
});
