import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Kafka } from 'kafkajs';
import { deadLetterTopic, hazardReportedTopic, reportMatchedTopic, segmentRiskChangedV2Topic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV } from '../support/auth-tokens';
import { isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, readDeadLetters, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { OwnPostgres } from '../support/own-servers';
import { recordedCounts, segmentsOutOfStep, streamReports, taskCounts } from '../support/report-stream';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix } from '../support/stores';

const REPORTS = Number(process.env.FAULT_REPORTS ?? 1_000);
/** How long the database stays down: longer than a message's bounded retries (≈3 s), so a consumer that dead-lettered on them would lose reports. */
const DOWN_MS = 8_000;
const START = { timeoutMs: 240_000 };
jest.setTimeout(600_000);

/**
 * PostgreSQL stopped and started again while reports stream in, on a cluster the test runs itself.
 * The gateway keeps accepting (it only needs the broker); the consumers wait for the database
 * instead of dead-lettering or committing past what they could not write, and once it is back every
 * accepted report is recorded exactly once.
 */
describe('PostgreSQL restarted under a stream of reports', () => {
  const id = runId('pgr');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  let postgres: OwnPostgres;
  let common: Record<string, string>;
  let kafka: Kafka;
  const running: RunningService[] = [];

  beforeAll(async () => {
    postgres = await OwnPostgres.create();
    await postgres.start();
    common = { ...isolatedEnv(id), ...E2E_AUTH_ENV, DATABASE_URL: postgres.url() };
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stderr).toBe('');
    kafka = testKafka(`${id}-probe`);
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((s) => s.stop('SIGKILL')));
    postgres?.destroy();
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await deleteRedisPrefix(`${id}:`);
  });

  it('pauses the consumers while the database is away and loses nothing', async () => {
    const { gateway, all } = await startStack(common, schemas, START);
    running.push(...all);

    let restart: Promise<void> | undefined;
    let backAt = 0;
    // One look at the count at a time: a look still in flight when the server stops would fail.
    let looking = false;
    const tally = await streamReports(gateway.url, {
      count: REPORTS,
      onAnswer: async (t) => {
        if (restart || looking || t.sent % 25 !== 0) return;
        looking = true;
        try {
          if ((await recordedCounts(postgres.url(), schemas.risk, [])).rows < REPORTS / 10) return;
        } finally {
          looking = false;
        }
        if (restart) return;
        postgres.stop();
        // The stream goes on while the database is down.
        restart = new Promise((resolve) => setTimeout(resolve, DOWN_MS)).then(async () => {
          await postgres.start();
          backAt = Date.now();
        });
      },
    });
    expect(restart).toBeDefined();
    await restart;
    expect(tally.accepted).toHaveLength(REPORTS);

    const t = (contract: { topic: string }) => topicName(contract, id);
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, t(hazardReportedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.risk-service.segments`, t(reportMatchedTopic), { timeoutMs: 300_000 });
    await waitUntilConsumed(kafka, `${id}.task-service`, t(segmentRiskChangedV2Topic), { timeoutMs: 300_000 });
    const drainedMs = Date.now() - backAt;

    const recorded = await recordedCounts(postgres.url(), schemas.risk, tally.accepted);
    expect(recorded).toEqual({ rows: REPORTS, distinct: REPORTS, lost: 0, unexpected: 0, unassessed: 0 });
    expect(await segmentsOutOfStep(postgres.url(), schemas.risk)).toEqual([]);
    const tasks = await taskCounts(postgres.url(), schemas.task);
    expect(tasks.duplicates).toBe(0);
    // Nothing was given up on: a dead letter here would be a report the outage lost.
    expect(await readDeadLetters(kafka, t(deadLetterTopic))).toEqual([]);
    process.stdout.write(`postgres restart: ${REPORTS} accepted during a ${DOWN_MS} ms outage, ${recorded.rows} recorded, ${tasks.tasks} tasks (${tasks.duplicates} duplicates), drained ${drainedMs} ms after the database was back\n`);
  });
});
