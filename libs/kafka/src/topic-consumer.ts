import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import {
  DEAD_LETTER_HEADERS,
  DeadLetterCode,
  TopicContract,
  deadLetterTopic,
  decodeMessage,
  topicName,
} from '@roadloop/contracts';
import { AppError, logContext } from '@roadloop/http';
import { ConsumerMetrics } from './consumer-metrics';
import { EventPublisher, MESSAGE_TOO_LARGE } from './event-publisher';
import { judgeFailure } from './handler-errors';
import { KafkaLogger } from './kafka.options';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: IHeaders;
  /** 1 on the first try. */
  attempt: number;
}

export interface Subscription<S extends z.ZodType = z.ZodType> {
  contract: TopicContract<S>;
  handle(value: z.infer<S>, meta: MessageMeta): Promise<void>;
}

/** Binds a handler to a contract with the value's type inferred. */
export function subscription<S extends z.ZodType>(
  contract: TopicContract<S>,
  handle: (value: z.infer<S>, meta: MessageMeta) => Promise<void>,
): Subscription {
  return { contract, handle: handle as Subscription['handle'] };
}

export interface TopicConsumerOptions {
  groupId: string;
  topicPrefix: string;
  subscriptions: Subscription[];
  /** Attempts at a message whose handler keeps failing with a retriable error before it is dead-lettered (1 = no retry). */
  maxAttempts: number;
  /** Backoff before attempt n+1 is min(baseMs · 2^(n−1), maxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** Told when the consumer crashed and kafkajs will not restart it (the owner may start it again). */
  onCrash?: (error: Error) => void;
  /** Where each message's count and processing time are reported (/metrics). */
  metrics?: ConsumerMetrics;
}

export interface ConsumerStats {
  /** Messages handled, per topic. */
  consumed: Map<string, number>;
  deadLettered: Map<string, number>;
  /** Messages behind the partition's high watermark after the last one handled, per `topic:partition`. */
  lag: Map<string, number>;
}

/**
 * At-least-once consumer: a batch at a time, each message's offset resolved only after its handler
 * finished (or after it was dead-lettered), so a crash replays from the last committed offset and
 * handlers must be idempotent. A message that cannot be decoded, fails its schema, carries another
 * key than its contract gives it, or fails with a data error goes to the dead-letter topic with the
 * original bytes at once; one that keeps failing otherwise, after bounded retries (`judgeFailure`
 * decides, for every consumer). The partition moves on.
 */
export class TopicConsumer {
  private readonly consumer: Consumer;
  private readonly byTopic = new Map<string, Subscription>();
  private readonly deadLetters: string;
  readonly stats: ConsumerStats = { consumed: new Map(), deadLettered: new Map(), lag: new Map() };
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: TopicConsumerOptions,
    private readonly logger: KafkaLogger,
  ) {
    // A short fetch wait keeps shutdown quick (disconnect waits for the fetch in flight).
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
      maxWaitTimeInMs: 1_000,
    });
    for (const s of options.subscriptions) this.byTopic.set(topicName(s.contract, options.topicPrefix), s);
    this.deadLetters = topicName(deadLetterTopic, options.topicPrefix);
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.logger.error(`consumer ${options.groupId} crashed: ${e.payload.error.message} (restart: ${e.payload.restart})`);
      if (e.payload.restart) return;
      this.running = false;
      options.onCrash?.(e.payload.error);
    });
  }

  /** Connected and consuming: false before start, after stop, and after a crash kafkajs gave up on. */
  get isRunning(): boolean {
    return this.running;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 1_000,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.running = true;
  }

  /** Also after a failed or crashed start, which may have left a connection open. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const started = process.hrtime.bigint();
      const headers = message.headers ?? {};
      const context = { correlationId: headerText(headers['x-correlation-id']), eventId: headerText(headers['x-event-id']) };
      await logContext.run(context, () => this.process(batch.topic, batch.partition, message, heartbeat));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const lag = Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1);
      this.stats.consumed.set(batch.topic, (this.stats.consumed.get(batch.topic) ?? 0) + 1);
      this.stats.lag.set(`${batch.topic}:${batch.partition}`, lag);
      this.options.metrics?.handled(this.options.groupId, batch.topic, batch.partition, seconds, lag);
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async process(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const subscription = this.byTopic.get(topic);
    if (!subscription) {
      await this.deadLetter(topic, partition, message, DeadLetterCode.Rejected, `no handler for topic ${topic}`, 0);
      return;
    }
    const decoded = decodeMessage(subscription.contract, message.value);
    if (!decoded.ok) {
      const code = decoded.code === 'UNPARSEABLE' ? DeadLetterCode.Unparseable : DeadLetterCode.InvalidSchema;
      await this.deadLetter(topic, partition, message, code, decoded.reason, 0);
      return;
    }
    // The key decides the partition, hence what is seen in order: a producer that keys otherwise breaks that.
    const key = message.key === null ? null : message.key.toString('utf8');
    const expectedKey = subscription.contract.key(decoded.value);
    if (key !== expectedKey) {
      const given = key === null ? 'no key' : `key ${JSON.stringify(key.slice(0, 200))}`;
      await this.deadLetter(topic, partition, message, DeadLetterCode.WrongKey, `${given}; the contract keys this value ${JSON.stringify(expectedKey)}`, 0);
      return;
    }
    const { maxAttempts } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await subscription.handle(decoded.value, { topic, partition, offset: message.offset, key, headers: message.headers ?? {}, attempt });
        return;
      } catch (err) {
        const verdict = judgeFailure(err);
        if (verdict.action === 'dead-letter') {
          await this.deadLetter(topic, partition, message, verdict.code, verdict.reason, attempt);
          return;
        }
        // A database or broker outage is waited out (nothing committed past this message); it ends when the consumer stops.
        if (verdict.untilAvailable && !this.running) throw err;
        if (attempt >= maxAttempts && !verdict.untilAvailable) {
          await this.deadLetter(topic, partition, message, DeadLetterCode.RetriesExhausted, verdict.reason, attempt);
          return;
        }
        this.logger.warn(`${topic}[${partition}]@${message.offset} attempt ${attempt}${verdict.untilAvailable ? ' (waiting for the outage to end)' : `/${maxAttempts}`} failed: ${verdict.reason}`);
        await this.backoff(attempt, heartbeat);
      }
    }
  }

  private async backoff(attempt: number, heartbeat: () => Promise<void>): Promise<void> {
    const base = this.options.retryBaseMs ?? 200;
    const max = this.options.retryMaxMs ?? 5_000;
    const delay = Math.min(base * 2 ** (attempt - 1), max);
    await new Promise((resolve) => setTimeout(resolve, delay));
    await heartbeat();
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: DeadLetterCode,
    reason: string,
    attempts: number,
  ): Promise<void> {
    const h = DEAD_LETTER_HEADERS;
    this.logger.warn(`dead-lettering ${topic}[${partition}]@${message.offset}: ${code} ${reason}`);
    const headers = {
      ...(message.headers ?? {}),
      [h.reason]: reason.slice(0, 4000),
      [h.errorCode]: code,
      [h.sourceTopic]: topic,
      [h.sourcePartition]: String(partition),
      [h.sourceOffset]: message.offset,
      [h.consumerGroup]: this.options.groupId,
      [h.failedAt]: new Date().toISOString(),
      [h.attempts]: String(attempts),
    };
    try {
      await this.publisher.send(this.deadLetters, [{ key: message.key, value: message.value, headers }]);
    } catch (err) {
      // A message as large as the broker takes no longer fits with these headers; refused for ever,
      // it would hold the partition for ever. It goes without its value, which stays at its source offset.
      if (!(err instanceof AppError && err.code === MESSAGE_TOO_LARGE)) throw err;
      this.logger.warn(`dead letter of ${topic}[${partition}]@${message.offset} too large for the broker: sent without its ${message.value?.length ?? 0}-byte value`);
      await this.publisher.send(this.deadLetters, [{ key: message.key, value: null, headers: { ...headers, [h.valueDropped]: String(message.value?.length ?? 0) } }]);
    }
    this.stats.deadLettered.set(topic, (this.stats.deadLettered.get(topic) ?? 0) + 1);
    this.options.metrics?.deadLetter(this.options.groupId, topic);
  }
}

function headerText(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
