import { Consumer, IHeaders, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@roadloop/contracts';
import { infra } from './environment';
import { waitFor } from './wait-for';

export interface SeenMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
}

/** Collects every message of a topic from the beginning, for assertions. */
export class TopicRecorder {
  readonly messages: SeenMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: this.groupId });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.messages.push(toSeen(message));
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toSeen(message: KafkaMessage): SeenMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((message.headers ?? {}) as IHeaders)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return { key: message.key?.toString('utf8') ?? null, value: message.value, headers };
}

export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Waits until a consumer group has committed every offset of a topic, i.e. has processed all of it. */
export async function waitUntilConsumed(kafka: Kafka, groupId: string, topic: string, { timeoutMs = 30_000 } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(`${groupId} to consume all of ${topic}`, async () => {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const done = new Map(committed[0].partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends.every((e) => Number(e.high) === 0 || (done.get(e.partition) ?? -1) >= Number(e.high)) ? true : undefined;
    }, { timeoutMs, intervalMs: 200 });
  } finally {
    await admin.disconnect();
  }
}

/** The broker connection of a test that created its topics itself: consumers may start at once. */
export const brokerReady = { whenReady: (): Promise<void> => Promise.resolve() };

/** A dead letter as a failing assertion shows it: where it came from, its code and its reason. */
export interface DeadLetterSeen {
  source: string;
  code: string;
  reason: string;
}

/**
 * Every dead letter on `topic` so far, read from the beginning to the end it has now. A drill that
 * expects none compares this to `[]`, so a failure names what was given up on and why. Letters that
 * could not be read in time are listed as one entry saying how many, not lost in a timeout.
 */
export async function readDeadLetters(kafka: Kafka, topic: string, { timeoutMs = 30_000 } = {}): Promise<DeadLetterSeen[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    if (total === 0) return [];
    const groupId = `${topic}.reader-${process.pid}-${Date.now()}`;
    const recorder = new TopicRecorder(kafka, topic, groupId);
    await recorder.start();
    try {
      await waitFor(`${total} dead letters on ${topic}`, () => (recorder.messages.length >= total ? true : undefined), { timeoutMs }).catch(() => undefined);
    } finally {
      await recorder.stop();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    const h = DEAD_LETTER_HEADERS;
    const seen = recorder.messages.map(({ headers }) => ({
      source: `${headers[h.sourceTopic]}[${headers[h.sourcePartition]}]@${headers[h.sourceOffset]} (${headers[h.consumerGroup]}, ${headers[h.attempts]} attempts)`,
      code: headers[h.errorCode] ?? '',
      reason: headers[h.reason] ?? '',
    }));
    if (seen.length < total) seen.push({ source: topic, code: 'UNREAD', reason: `read ${seen.length} of ${total} dead letters within ${timeoutMs} ms` });
    return seen;
  } finally {
    await admin.disconnect();
  }
}
