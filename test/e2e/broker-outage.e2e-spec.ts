import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { deadLetterTopic, hazardReportedTopic, reportMatchedTopic, segmentRiskChangedV2Topic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV } from '../support/auth-tokens';
import { infra, isolatedEnv, runId } from '../support/environment';
import { readDeadLetters, waitUntilConsumed } from '../support/kafka-probe';
import { OwnBroker } from '../support/own-servers';
import { StreamTally, recordedCounts, segmentsOutOfStep, streamReports, taskCounts } from '../support/report-stream';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';

const REPORTS = Number(process.env.FAULT_REPORTS ?? 1_000);
/**
 * Long enough that a loaded machine's broker acknowledges within it while it is up (a report timed out
 * there may still reach the broker after its 503, which the exact counts below would catch).
 */
const PUBLISH_TIMEOUT_MS = 10_000;
const START = { timeoutMs: 240_000 };
jest.setTimeout(600_000);

/**
 * The broker stopped and started again under a stream of reports, on a broker the test runs itself.
 * While it is away the gateway answers 503 with Retry-After, promptly, and never 202; afterwards it
 * accepts again, and every report it accepted is recorded exactly once — none of those it refused.
 */
describe('broker stopped and restarted under a stream of reports', () => {
  const id = runId('brk');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  let broker: OwnBroker;
  let common: Record<string, string>;
  const running: RunningService[] = [];

  beforeAll(async () => {
    broker = await OwnBroker.create();
    broker.start();
    common = {
      ...isolatedEnv(id),
      ...E2E_AUTH_ENV,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_CONNECT_RETRY_MAX_MS: '1000',
      PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
    };
    expect(runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk }).status).toBe(0);
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((s) => s.stop('SIGKILL')));
    broker?.destroy();
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  it('answers 503 with Retry-After while the broker is away, and loses nothing it accepted', async () => {
    const { gateway, all } = await startStack(common, schemas, START);
    running.push(...all);

    const before = await streamReports(gateway.url, { count: REPORTS / 2 });
    expect(before.accepted).toHaveLength(REPORTS / 2);

    broker.stop();
    const during = await streamReports(gateway.url, { count: 40, concurrency: 4 });
    expect(during.accepted).toEqual([]);
    expect(during.other).toEqual({});
    expect(during.unavailable).toBe(40);
    expect(during.unavailableWithRetryAfter).toBe(40);
    // Answered within the publish timeout (and some room for a busy machine), not after the producer's retries.
    expect(during.slowestUnavailableMs).toBeLessThan(PUBLISH_TIMEOUT_MS + 5_000);
    const refusal = await fetch(`${gateway.url}/v1/hazards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ category: 'pothole', severity: 'low', lon: 1.521, lat: 42.50575 }),
    });
    expect(refusal.status).toBe(503);
    expect(await refusal.json()).toMatchObject({ statusCode: 503, error: 'BROKER_UNAVAILABLE', message: expect.stringMatching(/not accepted, send it again/) });

    const restartedAt = Date.now();
    broker.start();
    // Back to 202 once the broker answers (the 503s meanwhile are counted, not lost).
    const probing = new StreamTally();
    await waitFor('the gateway to accept reports again', async () => {
      await streamReports(gateway.url, { count: 1, concurrency: 1 }, probing);
      return probing.accepted.length ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const acceptingAfterMs = Date.now() - restartedAt;

    const after = await streamReports(gateway.url, { count: REPORTS / 2 });
    expect(after.accepted).toHaveLength(REPORTS / 2);
    const accepted = [...before.accepted, ...probing.accepted, ...after.accepted];

    const kafka = new Kafka({ clientId: `${id}-probe`, brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const t = (contract: { topic: string }) => topicName(contract, id);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, t(hazardReportedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, t(reportMatchedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.task-service`, t(segmentRiskChangedV2Topic), { timeoutMs: 300_000 });
    const drainedMs = Date.now() - restartedAt;

    // Exactly the accepted reports are on the topic and in the database: none refused slipped in.
    const admin = kafka.admin();
    await admin.connect();
    const onTopic = (await admin.fetchTopicOffsets(t(hazardReportedTopic))).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    expect(onTopic).toBe(accepted.length);
    const recorded = await recordedCounts(infra.databaseUrl, schemas.risk, accepted);
    expect(recorded).toEqual({ rows: accepted.length, distinct: accepted.length, lost: 0, unexpected: 0, unassessed: 0 });
    expect(await segmentsOutOfStep(infra.databaseUrl, schemas.risk)).toEqual([]);
    expect((await taskCounts(infra.databaseUrl, schemas.task)).duplicates).toBe(0);
    expect(await readDeadLetters(kafka, t(deadLetterTopic))).toEqual([]);
    process.stdout.write(
      `broker outage: ${accepted.length} accepted, ${during.unavailable + probing.unavailable} answered 503 (slowest ${during.slowestUnavailableMs} ms), ${recorded.rows} recorded, accepting ${acceptingAfterMs} ms after the restart began, drained after ${drainedMs} ms\n`,
    );
  });
});
