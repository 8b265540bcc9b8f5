import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { DEAD_LETTER_HEADERS, deadLetterTopic, hazardReportedTopic, reportMatchedTopic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/**
 * Input a careless or hostile client sends, through the running services: text PostgreSQL cannot
 * store is refused at the edge (400 naming the field), and a producer reusing an event id gets a
 * dead letter, not a phantom task.
 */
describe('input refusals: unstorable text and reused event ids', () => {
  const id = runId('e2erefuse');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const topics = { hazards: topicName(hazardReportedTopic, id), matched: topicName(reportMatchedTopic, id), deadLetters: topicName(deadLetterTopic, id) };
  const common = { ...isolatedEnv(id), KAFKA_CONSUMER_MAX_ATTEMPTS: '5', LOG_LEVEL: 'info', ...E2E_AUTH_ENV };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let deadLetters: TopicRecorder;

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stdout).toMatch(/imported 3 of 3 segments/);
    const stack = await startStack(common, schemas);
    services.push(...stack.all);
    gateway = stack.gateway;
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
    deadLetters = new TopicRecorder(kafka, topics.deadLetters, `${id}-probe-dlq`);
    await deadLetters.start();
  });

  afterAll(async () => {
    await Promise.allSettled([deadLetters?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  const call = async (method: string, path: string, role?: 'dispatcher' | 'admin', body?: unknown) => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(role ? { authorization: bearer(role, `${role}-1`) } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as { fields?: { field: string }[] } };
  };
  const fieldsOf = (r: { body: { fields?: { field: string }[] } }) => r.body.fields?.map((f) => f.field);

  it('answers 400 naming the field for a NUL or an unpaired surrogate, on every route that takes text, where it answered 500', async () => {
    const hazard = { category: 'rockfall', severity: 'high', lon: 1.521, lat: 42.50575 };
    const nulDescription = await call('POST', '/v1/hazards', undefined, { ...hazard, description: 'x \u0000' });
    expect([nulDescription.status, fieldsOf(nulDescription)]).toEqual([400, ['description']]);
    const surrogate = await call('POST', '/v1/hazards', undefined, { ...hazard, reporter: { name: 'Pat \ud800' } });
    expect([surrogate.status, fieldsOf(surrogate)]).toEqual([400, ['reporter.name']]);
    const crash = { occurredAt: new Date().toISOString(), lon: 1.521, lat: 42.50575, deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1 };
    const externalId = await call('POST', '/v1/accidents', 'dispatcher', { ...crash, externalId: 'AD-\u0000' });
    expect([externalId.status, fieldsOf(externalId)]).toEqual([400, ['externalId']]);

    const list = await call('GET', '/v1/tasks?segmentId=%00', 'dispatcher');
    expect([list.status, fieldsOf(list)]).toEqual([400, ['segmentId']]);
    const segment = await call('GET', '/v1/segments/%00', 'dispatcher');
    expect([segment.status, fieldsOf(segment)]).toEqual([400, ['id']]);
    const reopen = await call('POST', `/v1/tasks/${randomUUID()}/reopen`, 'dispatcher', { reason: 'rail gone \u0000' });
    expect([reopen.status, fieldsOf(reopen)]).toEqual([400, ['reason']]);
    const crew = await call('PUT', '/v1/crews/crew-x', 'admin', { name: 'Crew \u0000', jurisdictionId: 'west' });
    expect([crew.status, fieldsOf(crew)]).toEqual([400, ['name']]);
  });

  it('takes the same event again as a redelivery, and dead-letters another report under a used eventId without opening a task for it', async () => {
    const envelope = (eventId: string) => ({ eventId, occurredAt: new Date().toISOString(), schemaVersion: 1, source: 'police-system', correlationId: `${id}-reuse` });
    const first = { ...envelope(randomUUID()), payload: { hazardId: randomUUID(), category: 'pothole', severity: 'low', lon: 1.521, lat: 42.50575, reportedAt: new Date().toISOString() } };
    // A critical rockfall would open a rockfall-clearing task on the second road, were it recorded and announced.
    const reused = { ...envelope(first.eventId), payload: { hazardId: randomUUID(), category: 'rockfall', severity: 'critical', lon: 1.5806, lat: 42.5343, reportedAt: new Date().toISOString() } };
    const send = (values: (typeof first)[]) =>
      producer.send({ topic: topics.hazards, messages: values.map((v) => ({ key: v.payload.hazardId, value: JSON.stringify(v) })) });
    await send([first]);
    await send([first, reused]);

    const letter = await waitFor('the reused event id dead-lettered', () => deadLetters.messages.find((m) => m.key === reused.payload.hazardId));
    expect(letter.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('DUPLICATE_EVENT_ID');
    expect(letter.headers[DEAD_LETTER_HEADERS.attempts]).toBe('1');
    await waitUntilConsumed(kafka, `${id}.risk-service.intake`, topics.hazards);
    await waitUntilConsumed(kafka, `${id}.task-service`, topics.matched);
    expect(deadLetters.messages.filter((m) => m.key === first.payload.hazardId)).toEqual([]);

    const tasks = await call('GET', '/v1/tasks?segmentId=w900002-0', 'dispatcher');
    expect(tasks.status).toBe(200);
    expect((tasks.body as unknown as { items: { countermeasure: string }[] }).items.filter((t) => t.countermeasure === 'rockfall_clearing')).toEqual([]);
    const detail = await call('GET', '/v1/segments/w900001-0', 'dispatcher');
    expect((detail.body as unknown as { openHazards: { id: string }[] }).openHazards.map((h) => h.id)).toEqual([first.payload.hazardId]);
    const other = await call('GET', '/v1/segments/w900002-0', 'dispatcher');
    expect((other.body as unknown as { openHazards: unknown[] }).openHazards).toEqual([]);
  });
});
