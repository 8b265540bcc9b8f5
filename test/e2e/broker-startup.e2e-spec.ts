import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { REPO_ROOT, freePort, infra, runId } from '../support/environment';
import { RunningService, startService } from '../support/service-process';
import { waitFor } from '../support/wait-for';
import type { Readiness } from '@roadloop/contracts';

jest.setTimeout(300_000);


async function readiness(service: RunningService): Promise<{ code: number; body: Readiness }> {
  const res = await fetch(`${service.url}/health/ready`);
  return { code: res.status, body: (await res.json()) as Readiness };
}

/**
 * Start-up against a broker that is down or brand new. The test runs a broker of its own (own ports
 * and state directory), so stopping and wiping it disturbs no other test.
 */
describe('services starting against a broker that is down or new', () => {
  const id = runId('boot');
  const home = mkdtempSync(join(tmpdir(), 'roadloop-broker-'));
  let brokerEnv: Record<string, string>;
  let brokers: string;
  const started: RunningService[] = [];

  function broker(command: 'start' | 'stop' | 'reset') {
    const run = spawnSync('bash', [join(REPO_ROOT, 'infra/kafka/kafka.sh'), command], {
      env: { ...process.env, ...brokerEnv },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`kafka.sh ${command} failed: ${run.stdout}\n${run.stderr}`);
  }

  function serviceEnv(prefix: string, schema: string): Record<string, string> {
    return {
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: infra.databaseUrl,
      DB_SCHEMA: schema,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: `${prefix}:`,
      // Short pauses between attempts keep the test quick once the broker is there.
      KAFKA_CONNECT_RETRY_MAX_MS: '1000',
    };
  }

  beforeAll(async () => {
    const port = await freePort();
    brokerEnv = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HOME_DIR: home, KAFKA_HEAP: '256m' };
    brokers = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    try {
      broker('stop');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const db = new Client({ connectionString: infra.databaseUrl });
    await db.connect();
    for (const schema of [`${id}_risk`, `${id}_task`]) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  });

  it('answers not-ready while the broker is down, keeps trying, and becomes ready when it comes up', async () => {
    const prefix = `${id}a`;
    const [risk, task] = await Promise.all([
      startService('risk-service', await freePort(), serviceEnv(prefix, `${id}_risk`), { until: 'live' }),
      startService('task-service', await freePort(), serviceEnv(prefix, `${id}_task`), { until: 'live' }),
    ]);
    started.push(risk, task);

    for (const service of [risk, task]) {
      // It tried more than once (attempt 2 or later) and is still alive, saying what it waits for.
      const waiting = await waitFor(`${service.name} to report a second attempt at the broker`, async () => {
        const { code, body } = await readiness(service);
        return code === 503 && /attempt ([2-9]|\d\d)/.test(body.checks.kafka?.error ?? '') ? body : undefined;
      });
      expect(waiting.checks.kafka.status).toBe('down');
      expect(waiting.checks.kafka.error).toContain(`connecting to the broker at ${brokers}`);
      expect(waiting.checks.postgres.status).toBe('up');
      expect(service.process.exitCode).toBeNull();
    }

    broker('start');

    for (const service of [risk, task]) {
      const ready = await waitFor(`${service.name} to become ready`, async () => {
        const { code, body } = await readiness(service);
        return code === 200 ? body : undefined;
      }, { timeoutMs: 90_000, intervalMs: 250 });
      expect(ready.checks.kafka.status).toBe('up');
      expect(ready.checks['kafka-consumers'].status).toBe('up');
    }
    const admin = new Kafka({ clientId: 'broker-startup-e2e', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    await admin.disconnect();
    expect(topics).toEqual(expect.arrayContaining([`${prefix}.roadloop.hazard.reported.v1`, `${prefix}.roadloop.task.changed.v1`, `${prefix}.roadloop.deadletter.v1`]));
    await Promise.all([risk.stop(), task.stop()]);
  });

  // BOOT_ROUNDS=30 for a longer drill; 8 keep `npm test` short (a wipe and a broker start a round).
  const rounds = Number(process.env.BOOT_ROUNDS ?? 8);
  it('starts both services at once against a wiped broker, round after round, without a failure', async () => {
    const failures: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // No topics and no consumer-offsets topic yet: both services race to create the same topics,
      // and their consumers meet a group coordinator that is not there yet, as on a first start.
      broker('reset');
      broker('start');
      const prefix = `${id}r${round}`;
      const results = await Promise.allSettled([
        startService('risk-service', await freePort(), serviceEnv(prefix, `${id}_risk`)),
        startService('task-service', await freePort(), serviceEnv(prefix, `${id}_task`)),
      ]);
      for (const r of results) {
        if (r.status === 'fulfilled') await r.value.stop();
        else failures.push(`round ${round}: ${(r.reason as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000 + rounds * 45_000);
});
