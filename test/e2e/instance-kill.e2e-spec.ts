import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Kafka } from 'kafkajs';
import { deadLetterTopic, hazardReportedTopic, reportMatchedTopic, segmentRiskChangedV2Topic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { freePort, infra, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, readDeadLetters, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { recordedCounts, segmentsOutOfStep, streamReports, taskCounts } from '../support/report-stream';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';

const REPORTS = Number(process.env.FAULT_REPORTS ?? 1_000);
/** Four services starting at once on a busy machine may each take a minute. */
const START = { timeoutMs: 240_000 };
jest.setTimeout(600_000);

/**
 * Two risk and two task instances on one schema each, behind one gateway that knows both. One of
 * each is killed (SIGKILL) while reports stream in: the survivors take the killed members'
 * partitions, nothing is lost or applied twice, no task is opened twice, every consumer group
 * catches up, and reads through the gateway keep being answered by the surviving instances.
 */
describe('two instances of each service, one of each killed mid-stream', () => {
  const id = runId('kill');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = {
    ...isolatedEnv(id),
    ...E2E_AUTH_ENV,
    // The killed members' partitions move once their sessions time out.
    KAFKA_SESSION_TIMEOUT_MS: '8000',
  };
  const running: RunningService[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    expect(runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk }).status).toBe(0);
    kafka = testKafka(`${id}-probe`);
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((s) => s.stop('SIGKILL')));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  it('loses nothing, applies each report once and opens no task twice', async () => {
    // Started together: their migrations meet on the same schema.
    const [riskA, riskB, taskA, taskB] = await Promise.all([
      startService('risk-service', await freePort(), { ...common, DB_SCHEMA: schemas.risk }, START),
      startService('risk-service', await freePort(), { ...common, DB_SCHEMA: schemas.risk }, START),
      startService('task-service', await freePort(), { ...common, DB_SCHEMA: schemas.task }, START),
      startService('task-service', await freePort(), { ...common, DB_SCHEMA: schemas.task }, START),
    ]);
    running.push(riskA, riskB, taskA, taskB);
    const gateway = await startService('ingest-gateway', await freePort(), {
      ...common,
      RISK_SERVICE_URL: `${riskA.url},${riskB.url}`,
      TASK_SERVICE_URL: `${taskA.url},${taskB.url}`,
    }, START);
    running.push(gateway);

    let killedAt: number | undefined;
    const reads = { ok: 0, failed: [] as string[] };
    const tally = await streamReports(gateway.url, {
      count: REPORTS,
      onAnswer: async (t) => {
        // Killed once a tenth of the stream is in the database: both instances are busy with it.
        if (killedAt === undefined && t.sent % 25 === 0 && (await recordedCounts(infra.databaseUrl, schemas.risk, [])).rows >= REPORTS / 10) {
          killedAt = Date.now();
          await Promise.all([riskA.stop('SIGKILL'), taskA.stop('SIGKILL')]);
        }
        // After the kill, every tenth answer is followed by reads that either instance could serve.
        if (killedAt !== undefined && t.sent % 10 === 0) {
          for (const path of ['/v1/segments/top?limit=5', '/v1/tasks?limit=5']) {
            const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: bearer('dispatcher', 'fault-test') } });
            if (res.ok) reads.ok++;
            else reads.failed.push(`${path}: ${res.status} ${await res.text()}`);
          }
        }
      },
    });
    expect(killedAt).toBeDefined();
    expect(riskA.process.signalCode).toBe('SIGKILL');
    expect(tally.accepted).toHaveLength(REPORTS);

    // Every group drains every topic it reads: the survivors took the killed members' partitions.
    const drainStarted = Date.now();
    const t = (contract: { topic: string }) => topicName(contract, id);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, t(hazardReportedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, t(reportMatchedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.task-service`, t(segmentRiskChangedV2Topic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.task-service`, t(reportMatchedTopic), { timeoutMs: 300_000 });
    const drainedMs = Date.now() - drainStarted;

    const recorded = await recordedCounts(infra.databaseUrl, schemas.risk, tally.accepted);
    expect(recorded).toEqual({ rows: REPORTS, distinct: REPORTS, lost: 0, unexpected: 0, unassessed: 0 });
    expect(await segmentsOutOfStep(infra.databaseUrl, schemas.risk)).toEqual([]);
    const tasks = await taskCounts(infra.databaseUrl, schemas.task);
    expect(tasks.duplicates).toBe(0);
    expect(tasks.tasks).toBeGreaterThan(0);
    expect(reads.failed).toEqual([]);
    expect(reads.ok).toBeGreaterThan(0);

    // Nothing went to the dead letters on the way.
    expect(await readDeadLetters(kafka, t(deadLetterTopic))).toEqual([]);
    process.stdout.write(`instance kill: ${REPORTS} sent, ${tally.accepted.length} accepted, ${recorded.rows} recorded, ${tasks.tasks} tasks (${tasks.duplicates} duplicates), ${reads.ok} reads after the kill, drained ${drainedMs} ms after the stream\n`);
  });
});
