import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { taskChangedTopic, topicName } from '@roadloop/contracts';
import { EventPublisher, ensureTopics } from '@roadloop/kafka';
import { infra, runId } from '../../../../test/support/environment';
import { TopicRecorder, deleteTopicsWithPrefix } from '../../../../test/support/kafka-probe';
import { waitFor } from '../../../../test/support/wait-for';
import { Harness, hazardEvent, openHarness } from '../testing/harness';
import { OutboxRelay, OutboxSender } from './outbox-relay';

jest.setTimeout(60_000);

const quiet = { warn: () => undefined, error: () => undefined };

/** A sender that records what it is given and fails on demand, to drive the relay's bookkeeping. */
class RecordingSender implements OutboxSender {
  sent: { topic: string; key: string; value: string; headers?: Record<string, unknown> }[] = [];
  failNext = 0;
  /** Simulates a send that reached the broker but whose acknowledgement was lost. */
  loseAckNext = 0;
  async send(topic: string, messages: { key: string; value: string; headers?: Record<string, unknown> }[]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker unavailable');
    }
    this.sent.push(...messages.map((m) => ({ topic, ...m })));
    if (this.loseAckNext > 0) {
      this.loseAckNext--;
      throw new Error('request timed out');
    }
  }
}

describe(`${OutboxRelay.name} with a recording sender`, () => {
  let h: Harness;
  let sender: RecordingSender;
  let relay: OutboxRelay;

  beforeAll(async () => {
    h = await openHarness('outbox');
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.ds.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    sender = new RecordingSender();
    relay = new OutboxRelay(h.tx, h.outbox, sender, { pollMs: 20, batchSize: 100 }, quiet);
  });

  it('writes nothing when the change rolls back, and the event with its envelope when it commits', async () => {
    const before = (await h.events()).length;
    await expect(
      h.tx.run(async (scope) => {
        await h.outbox.add({ eventId: '00000000-0000-4000-8000-000000000001', topic: 't', key: 'k', value: { x: 1 } }, scope);
        throw new Error('business rule broken after writing');
      }),
    ).rejects.toThrow('business rule broken');
    expect((await h.events()).length).toBe(before);

    const created = await h.intake.onReportMatched(hazardEvent('seg-outbox'));
    expect(created.kind).toBe('created');
    const [event] = (await h.events()).slice(before);
    expect(taskChangedTopic.valueSchema.safeParse(event).success).toBe(true);
    expect(event.payload).toMatchObject({ segmentId: 'seg-outbox', change: 'created', version: 1 });
  });

  it('rolls back the task, its history and its event together when a later step fails', async () => {
    const before = (await h.events()).length;
    // The intake transaction fails after the task row and the outbox row were written (a segment
    // id longer than the contract allows makes the outgoing event invalid).
    await expect(h.intake.onReportMatched({ ...hazardEvent('x'), payload: { ...hazardEvent('x').payload, segmentId: 's'.repeat(101) } })).rejects.toThrow(
      /refusing to publish an invalid/,
    );
    expect((await h.events()).length).toBe(before);
    expect(await h.ds.query(`SELECT 1 FROM task WHERE segment_id = $1`, ['s'.repeat(101)])).toEqual([]);
  });

  it('publishes pending events in order with their fixed eventId, and marks them', async () => {
    await h.intake.onReportMatched(hazardEvent('seg-order'));
    const pending = await h.outbox.pendingCount();
    expect(pending).toBeGreaterThan(0);
    expect(await relay.relayOnce()).toBe(pending);
    expect(await h.outbox.pendingCount()).toBe(0);
    const values = sender.sent.map((m) => JSON.parse(m.value));
    expect(sender.sent.every((m) => m.topic === 'int.roadloop.task.changed.v1' && m.key === 'seg-order')).toBe(true);
    expect(sender.sent.map((m) => m.headers?.['x-event-id'])).toEqual(values.map((v) => v.eventId));
    expect(await relay.relayOnce()).toBe(0);
  });

  it('leaves the rows of a send that threw for the next round, with the error recorded', async () => {
    await h.intake.onReportMatched(hazardEvent('seg-fail'));
    sender.failNext = 1;
    expect(await relay.relayOnce()).toBe(0);
    const [row] = await h.ds.query(`SELECT attempts, last_error FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1`);
    expect(row).toEqual({ attempts: 1, last_error: 'broker unavailable' });
    expect(await relay.relayOnce()).toBeGreaterThan(0);
    expect(await h.outbox.pendingCount()).toBe(0);
  });

  it('republishes the same event (same eventId) when a send reached the sender but then threw, as a lost acknowledgement does', async () => {
    await h.intake.onReportMatched(hazardEvent('seg-ack'));
    sender.loseAckNext = 1;
    await relay.relayOnce();
    await relay.relayOnce();
    const ids = sender.sent.map((m) => JSON.parse(m.value).eventId);
    expect(ids.length).toBe(2 * new Set(ids).size);
    expect(await h.outbox.pendingCount()).toBe(0);
  });

  it('lets two relays share the backlog without publishing a row twice (SKIP LOCKED)', async () => {
    for (let i = 0; i < 5; i++) await h.intake.onReportMatched(hazardEvent(`seg-par-${i}`));
    const pending = await h.outbox.pendingCount();
    const other = new OutboxRelay(h.tx, h.outbox, sender, { pollMs: 20, batchSize: 2 }, quiet);
    const small = new OutboxRelay(h.tx, h.outbox, sender, { pollMs: 20, batchSize: 2 }, quiet);
    let total = 0;
    for (let round = 0; round < 10 && total < pending; round++) {
      const [a, b] = await Promise.all([small.relayOnce(), other.relayOnce()]);
      total += a + b;
    }
    expect(total).toBe(pending);
    const ids = sender.sent.map((m) => JSON.parse(m.value).eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('runs as a polling loop and stops cleanly', async () => {
    await h.intake.onReportMatched(hazardEvent('seg-loop'));
    relay.start();
    await waitFor('the loop to publish the backlog', async () => ((await h.outbox.pendingCount()) === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    await relay.stop();
    expect(await h.outbox.pendingCount()).toBe(0);
    expect(sender.sent.some((m) => m.key === 'seg-loop')).toBe(true);
  });
});

/**
 * The relay with the service's own sender (EventPublisher) on the machine's broker, which creates no
 * topic on demand: this run's task.changed topic is missing at first, then created.
 */
describe(`${OutboxRelay.name} on the broker`, () => {
  const id = runId('outboxkafka');
  // One quick retry: a missing topic fails in well under a second instead of kafkajs's ~30 s backoff.
  const kafka = new Kafka({ clientId: id, brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
  const topic = topicName(taskChangedTopic, id);
  let h: Harness;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let recorder: TopicRecorder | undefined;

  beforeAll(async () => {
    h = await openHarness('outboxkafka', { KAFKA_TOPIC_PREFIX: id });
    publisher = new EventPublisher(kafka, id, 'task-service');
    relay = new OutboxRelay(h.tx, h.outbox, { send: (t, messages) => publisher.send(t, messages) }, { pollMs: 20, batchSize: 100 }, quiet);
  });
  afterAll(async () => {
    await recorder?.stop();
    await publisher?.disconnect();
    await deleteTopicsWithPrefix(kafka, id);
    await h?.close();
  });

  it('keeps the event when the broker refuses it (no such topic), then publishes it, with its eventId, once the topic exists', async () => {
    await h.intake.onReportMatched(hazardEvent('seg-broker'));
    const [event] = await h.events();
    expect(await h.outbox.pendingCount()).toBe(1);

    expect(await relay.relayOnce()).toBe(0);
    const [row] = await h.ds.query(`SELECT attempts, last_error FROM outbox WHERE published_at IS NULL`);
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain(`could not publish to ${topic}`);
    expect(row.last_error).toMatch(/does not host this topic-partition/);

    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    recorder = new TopicRecorder(kafka, topic, `${id}.reader`);
    await recorder.start();
    // The new topic's leader may take a moment: the relay keeps the row until the broker takes it.
    await waitFor('the relay to publish once the topic exists', async () => ((await relay.relayOnce()) === 1 ? true : undefined), { timeoutMs: 20_000, intervalMs: 200 });
    expect(await h.outbox.pendingCount()).toBe(0);

    const [received] = await waitFor('the event on the broker', () => (recorder!.messages.length ? recorder!.messages : undefined));
    expect(received.key).toBe('seg-broker');
    expect(received.headers['x-event-id']).toBe(event.eventId);
    expect(JSON.parse(received.value!.toString())).toEqual(event);
  });
});
