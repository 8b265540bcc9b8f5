import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTopic, reportMatchedTopic, taskChangedTopic, topicName } from '@roadloop/contracts';
import { configureApp } from '@roadloop/http';
import { EventPublisher } from '@roadloop/kafka';
import { E2E_AUTH_ENV, bearer } from '../../../test/support/auth-tokens';
import { isolatedEnv, runId } from '../../../test/support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka } from '../../../test/support/kafka-probe';
import { deleteRedisPrefix, dropSchemas } from '../../../test/support/stores';
import { waitFor } from '../../../test/support/wait-for';
import { AppModule } from './app.module';
import { loadTaskConfig } from './config';
import { hazardEvent } from './testing/harness';

jest.setTimeout(120_000);

/**
 * The task service as it runs, in this process: its whole module on the machine's PostgreSQL,
 * Kafka and Redis, with this run's own schema, topics, groups and Redis keys. A report matched to a
 * segment goes in through the broker; the task comes out through the outbox onto the broker and
 * over HTTP.
 */
describe('task-service on the broker, the database and Redis', () => {
  const id = runId('taskapp');
  const kafka = testKafka(`${id}-probe`);
  const photos = mkdtempSync(join(tmpdir(), 'taskapp-'));
  let app: INestApplication;
  let base: string;
  let publisher: EventPublisher;
  let changes: TopicRecorder;

  beforeAll(async () => {
    const config = loadTaskConfig({
      ...isolatedEnv(id),
      ...E2E_AUTH_ENV,
      NODE_ENV: 'test',
      DB_SCHEMA: `task_${id}`,
      OUTBOX_POLL_MS: '100',
      PHOTO_STORE_DIR: photos,
    });
    app = configureApp(await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, logger: false }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    await waitFor('the service to be ready', async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined));
    publisher = new EventPublisher(kafka, id, 'risk-service');
    changes = new TopicRecorder(kafka, topicName(taskChangedTopic, id), `${id}.probe`);
    await changes.start();
  });

  afterAll(async () => {
    await changes?.stop();
    await publisher?.disconnect();
    await app?.close();
    await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([`task_${id}`]);
    await deleteRedisPrefix(`${id}:`);
    rmSync(photos, { recursive: true, force: true });
  });

  it('says it is ready with its database, broker, consumers and Redis all up', async () => {
    const res = await fetch(`${base}/health/ready`);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(res.status).toBe(200);
    expect(body.checks.redis).toMatchObject({ status: 'up' });
    expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
    expect(Object.keys(body.checks).length).toBeGreaterThanOrEqual(3);
  });

  it('opens a task for a hazard that arrives on the broker, announces it on the broker and lists it over HTTP', async () => {
    const event = hazardEvent('w-app-0');
    await publisher.publish(reportMatchedTopic, event.payload, { correlationId: event.correlationId });

    const announced = await waitFor('task.changed for the hazard', () =>
      changes.messages.map((m) => JSON.parse(m.value!.toString())).find((v) => v.payload.hazardIds?.includes(event.payload.hazardId)),
    );
    expect(announced.payload).toMatchObject({ segmentId: 'w-app-0', change: 'created', countermeasure: 'rockfall_clearing' });
    expect(announced.correlationId).toBe(event.correlationId);

    const res = await fetch(`${base}/v1/tasks?segmentId=w-app-0`, { headers: { authorization: bearer('dispatcher', 'dora') } });
    const { items } = (await res.json()) as { items: { id: string; hazardIds: string[] }[] };
    expect(items.map((t) => t.id)).toEqual([announced.payload.taskId]);
    expect(items[0].hazardIds).toEqual([event.payload.hazardId]);
  });

  it('refuses a report it cannot read with a dead letter on the broker and goes on', async () => {
    const dead = new TopicRecorder(kafka, topicName(deadLetterTopic, id), `${id}.dead`);
    await dead.start();
    try {
      await publisher.send(topicName(reportMatchedTopic, id), [{ key: 'w-app-1', value: '{"not":"an event"}' }]);
      const [letter] = await waitFor('the dead letter', () => (dead.messages.length ? dead.messages : undefined));
      expect(letter.headers['x-dlq-error-code']).toBe('INVALID_SCHEMA');
      expect(letter.value!.toString()).toBe('{"not":"an event"}');
      // The partition moves on: the next report on it is handled.
      const next = hazardEvent('w-app-1');
      await publisher.publish(reportMatchedTopic, next.payload, { correlationId: next.correlationId });
      await waitFor('a task for the next report', () =>
        changes.messages.some((m) => JSON.parse(m.value!.toString()).payload.hazardIds?.includes(next.payload.hazardId)) || undefined,
      );
    } finally {
      await dead.stop();
    }
  });
});
