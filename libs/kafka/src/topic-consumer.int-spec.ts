import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { DEAD_LETTER_HEADERS, deadLetterTopic, defineTopic, eventSchema, topicName } from '@roadloop/contracts';
import { EventPublisher } from './event-publisher';
import { ConsumerMetrics } from './consumer-metrics';
import { NonRetriableError } from './handler-errors';
import { ensureTopics } from './topic-admin';
import { MessageMeta, TopicConsumer, subscription } from './topic-consumer';
import { waitFor } from '../../../test/support/wait-for';

jest.setTimeout(90_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

const counterTopic = defineTopic({
  topic: 'roadloop.test-counter.incremented.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, z.strictObject({ n: z.number().int(), key: z.string() })),
  key: (v) => v.payload.key,
  defaultPartitions: 1,
});

/** Each test gets its own topic prefix and group, so tests never see each other's messages. */
describe(TopicConsumer.name, () => {
  const kafka = new Kafka({ clientId: 'topic-consumer-int', brokers, logLevel: logLevel.NOTHING });
  let prefix: string;
  let publisher: EventPublisher;
  const running: TopicConsumer[] = [];
  const deadLetters: { value: Buffer | null; headers: Record<string, string> }[] = [];
  let dlqConsumer: ReturnType<Kafka['consumer']> | undefined;

  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
    await publisher.disconnect();
    await dlqConsumer?.disconnect();
    dlqConsumer = undefined;
    deadLetters.length = 0;
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  async function setUp() {
    prefix = `int${randomBytes(4).toString('hex')}`;
    // A producer per test: kafkajs keeps refreshing metadata of every topic it ever sent to, and
    // the previous test's topics are deleted.
    publisher = new EventPublisher(kafka, '', 'int-test');
    await publisher.connect();
    const topic = topicName(counterTopic, prefix);
    const dlq = topicName(deadLetterTopic, prefix);
    await ensureTopics(kafka, [
      { topic, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    dlqConsumer = kafka.consumer({ groupId: `${prefix}.dlq-reader` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: dlq, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        deadLetters.push({ value: message.value, headers });
      },
    });
    return { topic, groupId: `${prefix}.worker` };
  }

  const produce = (topic: string, values: (string | Buffer)[], key: string | null = 'k') =>
    publisher.send(
      topic,
      values.map((value) => ({ key, value })),
    );

  const envelope = (n: number) => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1, source: 'int-test', correlationId: `c${n}` });
  const event = (n: number) => JSON.stringify({ ...envelope(n), payload: { n, key: 'k' } });

  function start(groupId: string, handle: (n: number, meta: MessageMeta) => Promise<void>, maxAttempts = 3, metrics?: ConsumerMetrics) {
    const consumer = new TopicConsumer(
      kafka,
      publisher,
      {
        groupId,
        topicPrefix: prefix,
        maxAttempts,
        retryBaseMs: 10,
        subscriptions: [subscription(counterTopic, (value, meta) => handle(value.payload.n, meta))],
        metrics,
      },
      quiet,
    );
    running.push(consumer);
    return consumer.start().then(() => consumer);
  }

  /** A consumer whose subscription also handles runs: `batch` sees each run's numbers, `handle` each message handled alone. */
  function startBatched(
    groupId: string,
    batch: (ns: number[]) => Promise<number[] | void>,
    handle: (n: number) => Promise<void>,
    maxBatchSize = 500,
    metrics?: ConsumerMetrics,
  ) {
    const consumer = new TopicConsumer(
      kafka,
      publisher,
      {
        groupId,
        topicPrefix: prefix,
        maxAttempts: 2,
        retryBaseMs: 10,
        maxBatchSize,
        metrics,
        subscriptions: [
          subscription(
            counterTopic,
            (value) => handle(value.payload.n),
            async (deliveries) => {
              const left = await batch(deliveries.map((d) => d.value.payload.n));
              return left && deliveries.filter((d) => left.includes(d.value.payload.n));
            },
          ),
        ],
      },
      quiet,
    );
    running.push(consumer);
    return consumer.start().then(() => consumer);
  }

  async function committed(groupId: string, topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Number(partitions[0].offset);
    } finally {
      await admin.disconnect();
    }
  }

  /** Offsets are committed on an interval: poll until the expected one is there, then check it exactly. */
  async function committedEventually(groupId: string, topic: string, expected: number): Promise<void> {
    await waitFor(`offset ${expected} committed`, async () => ((await committed(groupId, topic)) === expected ? true : undefined), { timeoutMs: 15_000 }).catch(() => undefined);
    expect(await committed(groupId, topic)).toBe(expected);
  }

  it('retries a failing message with a bound, then handles it; no dead letter', async () => {
    const { topic, groupId } = await setUp();
    const attempts: number[] = [];
    const handled: number[] = [];
    await start(groupId, async (n, meta) => {
      attempts.push(meta.attempt);
      if (meta.attempt < 3) throw new Error('database briefly unavailable');
      handled.push(n);
    });
    await produce(topic, [event(1)]);
    await waitFor('the message handled', () => (handled.length === 1 ? true : undefined));
    expect(attempts).toEqual([1, 2, 3]);
    await committedEventually(groupId, topic, 1);
    expect(deadLetters).toHaveLength(0);
  });

  it('does not count attempts made during an outage toward the bound: the first other failure after it is retried, not dead-lettered', async () => {
    const { topic, groupId } = await setUp();
    const attempts: number[] = [];
    const handled: number[] = [];
    // maxAttempts is 3: five refused connections, then the cut connection's leftover error once, then success.
    await start(groupId, async (n, meta) => {
      attempts.push(meta.attempt);
      if (meta.attempt <= 5) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      if (meta.attempt === 6) throw new Error('Query runner already released. Cannot run queries anymore.');
      handled.push(n);
    });
    await produce(topic, [event(1), event(2)]);
    await waitFor('both messages handled', () => (handled.length === 2 ? true : undefined));
    expect(handled).toEqual([1, 2]);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7]);
    await committedEventually(groupId, topic, 2);
    expect(deadLetters).toHaveLength(0);
  });

  it('still bounds the failures that are not an outage after one: dead-lettered with every attempt counted in its header', async () => {
    const { topic, groupId } = await setUp();
    const attempts: number[] = [];
    const handled: number[] = [];
    // maxAttempts is 3: five refused connections, then a failure of another kind every time.
    await start(groupId, async (n, meta) => {
      if (n === 2) return void handled.push(n);
      attempts.push(meta.attempt);
      if (meta.attempt <= 5) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      throw new Error('always failing');
    });
    await produce(topic, [event(1), event(2)]);
    await waitFor('the message behind it handled', () => (handled.length === 1 ? true : undefined));
    await waitFor('one dead letter', () => (deadLetters.length === 1 ? true : undefined));
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.errorCode]).toBe('RETRIES_EXHAUSTED');
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.attempts]).toBe('8');
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.reason]).toBe('always failing');
    await committedEventually(groupId, topic, 2);
  });

  it('dead-letters poison, rejected and exhausted messages with reasons and original bytes, and commits past them', async () => {
    const { topic, groupId } = await setUp();
    const handled: number[] = [];
    await start(groupId, async (n) => {
      if (n === 2) throw new NonRetriableError('segment does not exist', 'UNKNOWN_SEGMENT');
      if (n === 3) throw new Error('always failing');
      handled.push(n);
    });
    const garbage = Buffer.from([0x7b, 0x22, 0xff]);
    await produce(topic, [garbage, event(1), event(2), event(3), event(4)]);
    await waitFor('the last message handled', () => (handled.includes(4) ? true : undefined));
    await waitFor('three dead letters', () => (deadLetters.length === 3 ? true : undefined));

    expect(handled).toEqual([1, 4]);
    expect(deadLetters.map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['UNPARSEABLE', 'REJECTED', 'RETRIES_EXHAUSTED']);
    expect(deadLetters[0].value).toEqual(garbage);
    expect(deadLetters[1].headers[DEAD_LETTER_HEADERS.reason]).toBe('UNKNOWN_SEGMENT: segment does not exist');
    expect(deadLetters[1].headers[DEAD_LETTER_HEADERS.attempts]).toBe('1');
    expect(deadLetters[2].headers[DEAD_LETTER_HEADERS.attempts]).toBe('3');
    expect(deadLetters[2].headers[DEAD_LETTER_HEADERS.sourceOffset]).toBe('3');
    expect(JSON.parse(deadLetters[2].value!.toString()).payload.n).toBe(3);

    // Offsets are committed past every message, dead-lettered or handled.
    await committedEventually(groupId, topic, 5);
  });

  it('times every message it handles or dead-letters in a histogram per group and topic, and counts them', async () => {
    const { topic, groupId } = await setUp();
    const registry = new Registry();
    const handled: number[] = [];
    await start(
      groupId,
      async (n) => {
        // Long enough to land above the first buckets: the histogram holds each message's own time.
        await new Promise((resolve) => setTimeout(resolve, 30));
        handled.push(n);
      },
      3,
      new ConsumerMetrics(registry),
    );
    await produce(topic, [event(1), Buffer.from('not json'), event(2), event(3)]);
    await waitFor('three messages handled', () => (handled.length === 3 ? true : undefined));
    await waitFor('one dead letter', () => (deadLetters.length === 1 ? true : undefined));

    const text = await registry.metrics();
    const value = (name: string, labels: string) => Number(text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))?.split(' ').pop());
    const labels = `group="${groupId}",topic="${topic}"`;
    expect(text).toContain('# TYPE roadloop_event_processing_seconds histogram');
    expect(value('roadloop_event_processing_seconds_count', labels)).toBe(4);
    // Each handled message waited 30 ms: only the dead letter can be in the buckets up to 25 ms.
    expect(value('roadloop_event_processing_seconds_bucket', `le="0.025",${labels}`)).toBeLessThanOrEqual(1);
    expect(value('roadloop_event_processing_seconds_bucket', `le="+Inf",${labels}`)).toBe(4);
    expect(value('roadloop_event_processing_seconds_sum', labels)).toBeGreaterThanOrEqual(0.085);
    expect(value('roadloop_events_consumed_total', labels)).toBe(4);
    expect(value('roadloop_events_dead_lettered_total', labels)).toBe(1);
    expect(value('roadloop_consumer_lag_messages', `${labels},partition="0"`)).toBe(0);
    expect(value('roadloop_event_processing_last_seconds', `group="${groupId}"`)).toBeGreaterThanOrEqual(0.025);
  });

  it('dead-letters the largest message the broker takes without its value, and the partition moves on', async () => {
    const { topic, groupId } = await setUp();
    const handled: number[] = [];
    await start(groupId, async (n) => {
      handled.push(n);
    });
    // A value as large as the broker takes (message.max.bytes counts the batch): its dead letter,
    // with the reason headers added, would not fit, so it goes without the value.
    const hugeOf = (size: number) => JSON.stringify({ ...envelope(1), payload: { n: 1, key: 'k', padding: 'x'.repeat(size) } });
    let huge: string | undefined;
    for (let size = 1_048_588; !huge; size -= 32) {
      try {
        await produce(topic, [hugeOf(size)]);
        huge = hugeOf(size);
      } catch (err) {
        if (!/larger than the max message size/.test((err as Error).message)) throw err;
      }
    }
    await produce(topic, [event(2)]);
    await waitFor('the message behind it handled', () => (handled.includes(2) ? true : undefined));
    await waitFor('its dead letter', () => (deadLetters.length === 1 ? true : undefined));
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_SCHEMA');
    expect(deadLetters[0].value).toBeNull();
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.valueDropped]).toBe(String(Buffer.byteLength(huge)));
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/payload: unknown field|padding/);
    await committedEventually(groupId, topic, 2);
  });

  describe('one retry-or-dead-letter policy, for errors raised by the real database', () => {
    let db: Client;
    afterEach(async () => {
      await db?.end();
    });

    it('dead-letters data errors after one attempt, retries a refused connection, and handles what follows on the partition', async () => {
      const { topic, groupId } = await setUp();
      db = new Client({ connectionString: databaseUrl });
      await db.connect();
      const attempts = new Map<number, number>();
      const handled: number[] = [];
      await start(
        groupId,
        async (n, meta) => {
          attempts.set(n, meta.attempt);
          if (n === 1) {
            // A constraint violation (SQLSTATE 23505), as a reused unique id raises it.
            await db.query('BEGIN');
            try {
              await db.query('CREATE TEMP TABLE once (id int PRIMARY KEY) ON COMMIT DROP');
              await db.query('INSERT INTO once VALUES (1), (1)');
            } finally {
              await db.query('ROLLBACK');
            }
          }
          // A NUL that slipped past a schema: PostgreSQL refuses it as a data exception (SQLSTATE 22021).
          if (n === 2) await db.query('SELECT $1::text', ['x \u0000']);
          if (n === 3 && meta.attempt < 3) {
            const nowhere = new Client({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 2_000 });
            await nowhere.connect();
          }
          handled.push(n);
        },
        5,
      );
      await produce(topic, [1, 2, 3, 4].map(event));
      await waitFor('the message behind them handled', () => (handled.includes(4) ? true : undefined));
      await waitFor('two dead letters', () => (deadLetters.length === 2 ? true : undefined));

      expect(handled).toEqual([3, 4]);
      expect(Object.fromEntries(attempts)).toEqual({ 1: 1, 2: 1, 3: 3, 4: 1 });
      expect(deadLetters.map((d) => [d.headers[DEAD_LETTER_HEADERS.errorCode], d.headers[DEAD_LETTER_HEADERS.attempts]])).toEqual([
        ['REJECTED', '1'],
        ['REJECTED', '1'],
      ]);
      expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/^SQLSTATE_23505: .*constraint once_pkey/);
      expect(deadLetters[1].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/^SQLSTATE_22021: /);
      await committedEventually(groupId, topic, 4);
    });
  });

  it('dead-letters a message keyed otherwise than its contract says, or not keyed, and one with an unknown field', async () => {
    const { topic, groupId } = await setUp();
    const handled: number[] = [];
    await start(groupId, async (n) => {
      handled.push(n);
    });
    const wrongKey = event(1);
    const unknownEnvelopeField = JSON.stringify({ ...envelope(3), partition: 0, payload: { n: 3, key: 'k' } });
    const unknownPayloadField = JSON.stringify({ ...envelope(4), payload: { n: 4, key: 'k', weathr: 'rain' } });
    await produce(topic, [wrongKey], 'k2');
    await produce(topic, [event(2)], null);
    await produce(topic, [unknownEnvelopeField, unknownPayloadField, event(5)]);
    await waitFor('the valid message handled', () => (handled.includes(5) ? true : undefined));
    await waitFor('four dead letters', () => (deadLetters.length === 4 ? true : undefined));

    expect(handled).toEqual([5]);
    expect(deadLetters.map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['WRONG_KEY', 'WRONG_KEY', 'INVALID_SCHEMA', 'INVALID_SCHEMA']);
    expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.reason]).toBe('key "k2"; the contract keys this value "k"');
    expect(deadLetters[1].headers[DEAD_LETTER_HEADERS.reason]).toBe('no key; the contract keys this value "k"');
    expect(deadLetters[0].value!.toString()).toBe(wrongKey);
    expect(deadLetters[2].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/partition: unknown field/);
    expect(deadLetters[3].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/payload\.weathr: unknown field/);
    await committedEventually(groupId, topic, 5);
  });

  it('resumes after a stop from the last committed offset: nothing lost, nothing handled twice after a clean stop', async () => {
    const { topic, groupId } = await setUp();
    const first: number[] = [];
    const consumer = await start(groupId, async (n) => {
      first.push(n);
    });
    await produce(topic, [1, 2, 3].map(event));
    await waitFor('first three handled', () => (first.length === 3 ? true : undefined));
    await consumer.stop();
    expect(await committed(groupId, topic)).toBe(3);

    await produce(topic, [4, 5].map(event));
    const second: number[] = [];
    await start(groupId, async (n) => {
      second.push(n);
    });
    await waitFor('the rest handled', () => (second.length === 2 ? true : undefined));
    expect(first).toEqual([1, 2, 3]);
    expect(second).toEqual([4, 5]);
  });

  describe('with a batch handler', () => {
    it('hands consecutive messages over in bounded runs, in order, and commits past them', async () => {
      const { topic, groupId } = await setUp();
      await produce(topic, Array.from({ length: 25 }, (_, i) => event(i + 1)));
      const runs: number[][] = [];
      const alone: number[] = [];
      await startBatched(groupId, async (ns) => void runs.push(ns), async (n) => void alone.push(n), 10);
      await waitFor('25 messages handled', () => (runs.flat().length === 25 ? true : undefined));
      expect(runs.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(Math.max(...runs.map((r) => r.length))).toBeLessThanOrEqual(10);
      expect(alone).toEqual([]);
      await committedEventually(groupId, topic, 25);
    });

    it('after a run fails, handles its messages one at a time: the failing one dead-lettered, the others once', async () => {
      const { topic, groupId } = await setUp();
      await produce(topic, [1, 2, 3, 4].map(event));
      const runs: number[][] = [];
      const alone: number[] = [];
      await startBatched(
        groupId,
        async (ns) => {
          runs.push(ns);
          if (ns.includes(3)) throw new Error('one of these cannot be applied');
        },
        async (n) => {
          if (n === 3) throw new NonRetriableError('message 3 names what does not exist', 'UNKNOWN_SEGMENT');
          alone.push(n);
        },
      );
      await waitFor('the dead letter', () => (deadLetters.length === 1 ? true : undefined));
      await waitFor('the others handled alone', () => (alone.length === 3 ? true : undefined));
      expect(alone).toEqual([1, 2, 4]);
      expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.reason]).toContain('message 3 names what does not exist');
      expect(JSON.parse(String(deadLetters[0].value)).payload.n).toBe(3);
      await committedEventually(groupId, topic, 4);
    });

    it('handles one at a time, after the run, the messages the batch handler leaves', async () => {
      const { topic, groupId } = await setUp();
      await produce(topic, [1, 2, 3, 4, 5].map(event));
      const alone: number[] = [];
      await startBatched(groupId, async (ns) => ns.filter((n) => n % 2 === 1), async (n) => void alone.push(n));
      await waitFor('the odd ones handled alone', () => (alone.length === 3 ? true : undefined));
      expect(alone).toEqual([1, 3, 5]);
      await committedEventually(groupId, topic, 5);
    });

    it('counts and times every message of a run, and the dead letter between runs, once each', async () => {
      const { topic, groupId } = await setUp();
      const registry = new Registry();
      await produce(topic, [event(1), event(2), event(3), '{"not":"an event"}', event(5), event(6), event(7), event(8)]);
      const runs: number[][] = [];
      const consumer = await startBatched(
        groupId,
        async (ns) => {
          // Long enough for a run's messages to land above the first buckets: each gets the run's time ÷ its length.
          await new Promise((resolve) => setTimeout(resolve, 40 * ns.length));
          runs.push(ns);
        },
        async () => undefined,
        3,
        new ConsumerMetrics(registry),
      );
      await waitFor('both sides handled', () => (runs.flat().length === 7 && deadLetters.length === 1 ? true : undefined));
      await committedEventually(groupId, topic, 8);
      expect(runs).toEqual([[1, 2, 3], [5, 6, 7], [8]]);

      const text = await registry.metrics();
      const value = (name: string, labels: string) => Number(text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))?.split(' ').pop());
      const labels = `group="${groupId}",topic="${topic}"`;
      expect(value('roadloop_events_consumed_total', labels)).toBe(8);
      expect(value('roadloop_event_processing_seconds_count', labels)).toBe(8);
      // Seven messages took 40 ms or more each: only the dead letter can be in the buckets up to 25 ms.
      expect(value('roadloop_event_processing_seconds_bucket', `le="0.025",${labels}`)).toBeLessThanOrEqual(1);
      expect(value('roadloop_event_processing_seconds_sum', labels)).toBeGreaterThanOrEqual(0.275);
      expect(value('roadloop_consumer_lag_messages', `${labels},partition="0"`)).toBe(0);
      expect(consumer.stats.consumed.get(topic)).toBe(8);
    });

    it('dead-letters a message that fails its schema in its place, between the runs around it', async () => {
      const { topic, groupId } = await setUp();
      await produce(topic, [event(1), event(2), '{"not":"an event"}', event(4)]);
      const runs: number[][] = [];
      await startBatched(groupId, async (ns) => void runs.push(ns), async () => undefined);
      await waitFor('both sides handled', () => (runs.flat().length === 3 && deadLetters.length === 1 ? true : undefined));
      expect(runs).toEqual([[1, 2], [4]]);
      expect(deadLetters[0].headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_SCHEMA');
      await committedEventually(groupId, topic, 4);
    });
  });
});
