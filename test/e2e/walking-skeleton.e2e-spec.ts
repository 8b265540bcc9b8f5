import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  hazardReportedTopic,
  reportMatchedTopic,
  segmentRiskChangedV2Topic,
  topicName,
} from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/**
 * The walking skeleton of the loop through the real broker, database and Redis: a hazard report
 * posted to the gateway is matched to a road segment by the risk service, raises its level, and the
 * task service opens exactly one rectification task for it, however often events are redelivered.
 */
describe('walking skeleton: hazard → risk change → one task', () => {
  const id = runId('e2e');
  const prefix = id;
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const topics = {
    hazards: topicName(hazardReportedTopic, prefix),
    riskChanged: topicName(segmentRiskChangedV2Topic, prefix),
    deadLetters: topicName(deadLetterTopic, prefix),
  };
  const common = {
    ...isolatedEnv(prefix),
    KAFKA_CONSUMER_MAX_ATTEMPTS: '3',
    LOG_LEVEL: 'info',
    ...E2E_AUTH_ENV,
  };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let risk: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let deadLetters: TopicRecorder;
  let riskChanges: TopicRecorder;
  let hazardEvents: TopicRecorder;

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/imported 3 of 3 segments \(3 new/);

    const stack = await startStack(common, schemas);
    services.push(...stack.all);
    ({ risk, gateway } = stack);

    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
    deadLetters = new TopicRecorder(kafka, topics.deadLetters, `${id}-probe-dlq`);
    riskChanges = new TopicRecorder(kafka, topics.riskChanged, `${id}-probe-risk`);
    hazardEvents = new TopicRecorder(kafka, topics.hazards, `${id}-probe-hazards`);
    await Promise.all([deadLetters.start(), riskChanges.start(), hazardEvents.start()]);
  });

  afterAll(async () => {
    await Promise.allSettled([deadLetters?.stop(), riskChanges?.stop(), hazardEvents?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, prefix);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const tasksOf = async (segmentId: string) => {
    const res = await fetch(`${gateway.url}/v1/tasks?segmentId=${encodeURIComponent(segmentId)}`, {
      headers: { authorization: bearer('dispatcher', 'dispatcher-1') },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { id: string; countermeasure: string; priority: string; status: string }[] }).items;
  };

  it('turns a critical rockfall beside the river into exactly one task, despite redeliveries', async () => {
    const res = await post(
      '/v1/hazards',
      { category: 'rockfall', severity: 'critical', lon: 1.521, lat: 42.50575, description: 'Boulders on the lane' },
      { 'x-correlation-id': `${id}-rockfall` },
    );
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { eventId: string; hazardId: string };
    expect(accepted.eventId).toMatch(/^[0-9a-f-]{36}$/);

    // The riverside segment also gets a roadside survey from the mandatory-protection rule on import;
    // the rockfall must add exactly one rockfall-clearing task.
    const rockfallTasks = async () => (await tasksOf('w900001-0')).filter((t) => t.countermeasure === 'rockfall_clearing');
    const tasks = await waitFor('a rockfall task for w900001-0', async () => {
      const items = await rockfallTasks();
      return items.length ? items : undefined;
    });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ countermeasure: 'rockfall_clearing', priority: 'p1' });

    // A second severe rockfall on the same segment: the task takes it in (no second task), and the two
    // open hazards together (× 2.2 × 1.6) raise the segment's level from medium to high.
    expect((await post('/v1/hazards', { category: 'rockfall', severity: 'high', lon: 1.5205, lat: 42.5053 }, { 'x-correlation-id': `${id}-rockfall-2` })).status).toBe(202);
    const change = await waitFor('the risk-changed event', () =>
      riskChanges.messages.find((m) => m.key === 'w900001-0'),
    );
    const changed = JSON.parse(change.value!.toString()) as { payload: { level: string; previousLevel: string }; correlationId: string };
    expect(changed.payload).toMatchObject({ level: 'high', previousLevel: 'medium' });
    expect(changed.correlationId).toBe(`${id}-rockfall-2`);

    // At-least-once delivery: the same hazard event and the same risk change arrive again.
    const hazard = await waitFor('the hazard event', () => hazardEvents.messages.find((m) => m.key === accepted.hazardId));
    await producer.send({ topic: topics.hazards, messages: [hazard, hazard].map((m) => ({ key: m.key, value: m.value })) });
    await producer.send({ topic: topics.riskChanged, messages: [change, change].map((m) => ({ key: m.key, value: m.value })) });

    await waitUntilConsumed(kafka, `${prefix}.risk-service.intake`, topics.hazards);
    await waitUntilConsumed(kafka, `${prefix}.risk-service.segments`, topicName(reportMatchedTopic, prefix));
    await waitUntilConsumed(kafka, `${prefix}.task-service`, topics.riskChanged);
    const detail = (await (
      await fetch(`${risk.url}/v1/segments/w900001-0`, { headers: { authorization: bearer('analyst', 'analyst-1') } })
    ).json()) as { openHazards: unknown[] };
    expect(detail.openHazards).toHaveLength(2);
    expect(await rockfallTasks()).toHaveLength(1);
    // One published by the risk service, two replayed by this test; the first rockfall announced none (still medium).
    await waitFor('the replayed risk changes', () => (riskChanges.messages.filter((m) => m.key === 'w900001-0').length >= 3 ? true : undefined));
    expect(riskChanges.messages.filter((m) => m.key === 'w900001-0')).toHaveLength(3);
  });

  it('refuses invalid reports with 4xx naming each bad field, and publishes nothing for them', async () => {
    const before = hazardEvents.messages.length;
    const bad = await post('/v1/hazards', { category: 'alien_landing', severity: 'high', lon: 'east', lat: 142.5, lng: 1 });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { fields: { field: string }[] };
    expect(body.fields.map((f) => f.field).sort()).toEqual(['category', 'lat', 'lng', 'lon']);

    const malformed = await post('/v1/hazards', '{"category": "rockfall",');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'MALFORMED_JSON' });

    const huge = await post('/v1/hazards', { category: 'rockfall', severity: 'low', lon: 1.5, lat: 42.5, description: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);

    const notAnObject = await post('/v1/hazards', '[1, 2, 3]');
    expect(notAnObject.status).toBe(400);

    // Give the gateway's producer the chance to have wrongly published, then check it did not.
    const marker = await post('/v1/hazards', { category: 'pothole', severity: 'low', lon: 1.58, lat: 42.534 });
    const { hazardId } = (await marker.json()) as { hazardId: string };
    await waitFor('the marker report', () => hazardEvents.messages.find((m) => m.key === hazardId));
    expect(hazardEvents.messages.length).toBe(before + 1);
  });

  it('dead-letters unparseable and invalid messages with the reason and original bytes, and moves on', async () => {
    const garbage = Buffer.from('{"truncated": ');
    const invalid = Buffer.from(JSON.stringify({ eventId: randomUUID(), schemaVersion: 1, payload: { category: 'alien' } }));
    const valid = {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      source: 'police-system',
      correlationId: `${id}-after-poison`,
      payload: {
        hazardId: randomUUID(),
        category: 'flooded_road',
        severity: 'critical',
        lon: 1.5806,
        lat: 42.5343,
        reportedAt: new Date().toISOString(),
      },
    };
    // Same key (the valid report's, as its contract requires), so all three land on one partition in this order.
    const key = valid.payload.hazardId;
    await producer.send({
      topic: topics.hazards,
      messages: [garbage, invalid, Buffer.from(JSON.stringify(valid))].map((value) => ({ key, value })),
    });

    const letters = await waitFor('two dead letters', () =>
      deadLetters.messages.filter((m) => m.key === key).length === 2 ? deadLetters.messages.filter((m) => m.key === key) : undefined,
    );
    expect(letters[0].value).toEqual(garbage);
    expect(letters[0].headers[DEAD_LETTER_HEADERS.errorCode]).toBe('UNPARSEABLE');
    expect(letters[1].value).toEqual(invalid);
    expect(letters[1].headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_SCHEMA');
    expect(letters[1].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/payload\.category/);
    expect(letters[1].headers[DEAD_LETTER_HEADERS.sourceTopic]).toBe(topics.hazards);
    expect(letters[1].headers[DEAD_LETTER_HEADERS.consumerGroup]).toBe(`${prefix}.risk-service.intake`);

    // The partition moved on: the valid report behind the poison became a drainage task.
    const tasks = await waitFor('a task for w900002-0', async () => {
      const items = await tasksOf('w900002-0');
      return items.length ? items : undefined;
    });
    expect(tasks.map((t) => t.countermeasure)).toEqual(['drainage']);
  });

  it('serves one OpenAPI document for the whole public API, built from the validating schemas', async () => {
    const res = await fetch(`${gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/hazards', '/v1/accidents', '/v1/segments/top', '/v1/segments/{id}', '/v1/tasks', '/v1/tasks/{id}/verify', '/v1/jurisdictions/{id}']),
    );
    const hazardBody = doc.paths['/v1/hazards'].post.requestBody.content['application/json'].schema;
    expect(hazardBody.required).toEqual(expect.arrayContaining(['category', 'severity', 'lon', 'lat']));
    expect(hazardBody.properties.category.enum).toContain('rockfall');
    expect(hazardBody.additionalProperties).toBe(false);
    expect(doc.paths['/v1/tasks/{id}/verify'].post['x-roles']).toEqual(['inspector']);
  });

  it('reports readiness of its dependencies and Prometheus metrics on every service', async () => {
    for (const service of services) {
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
      expect(body.status).toBe('ok');
      expect(body.checks.kafka).toMatchObject({ status: 'up' });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    }
    const riskBody = (await (await fetch(`${risk.url}/health/ready`)).json()) as { checks: Record<string, { status: string }> };
    expect(riskBody.checks).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });

    const metrics = await (await fetch(`${risk.url}/metrics`)).text();
    const sample = (name: string, labels: string) =>
      Number(metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))?.split(' ').pop());
    expect(sample('roadloop_events_consumed_total', `topic="${topics.hazards}"`)).toBeGreaterThanOrEqual(5);
    expect(sample('roadloop_events_dead_lettered_total', `topic="${topics.hazards}"`)).toBe(2);
    expect(metrics).toMatch(/^roadloop_consumer_lag_messages\{group="[^"]+",topic="[^"]+",partition="\d+"\} \d+$/m);
    // Each message's processing time in a histogram per group and topic, its count the messages handled.
    const handledHazards = sample('roadloop_events_consumed_total', `topic="${topics.hazards}"`);
    expect(sample('roadloop_event_processing_seconds_count', `topic="${topics.hazards}"`)).toBe(handledHazards);
    expect(metrics).toContain('# TYPE roadloop_event_processing_seconds histogram');
    const gatewayMetrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(gatewayMetrics).toMatch(/^roadloop_http_request_duration_seconds_count\{method="POST",route="\/v1\/hazards",status="202"\} [1-9]\d*$/m);
    const taskMetrics = await (await fetch(`${services[1].url}/metrics`)).text();
    expect(taskMetrics).toMatch(/^roadloop_tasks_open\{priority="p1"\} [1-9]\d*$/m);
    expect(taskMetrics).toMatch(/^roadloop_tasks_overdue\{priority="p1"\} 0$/m);
  });
});
