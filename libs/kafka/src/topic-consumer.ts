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
import { AppError, logContext } from '@roadloop/core';
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

/** A message decoded and checked against its contract, with where it came from. */
export interface Delivery<T = unknown> {
  value: T;
  meta: MessageMeta;
}

export interface Subscription<S extends z.ZodType = z.ZodType> {
  contract: TopicContract<S>;
  handle(value: z.infer<S>, meta: MessageMeta): Promise<void>;
  /**
   * Handles consecutive messages of one partition at once (one transaction, one publish). It may
   * leave some to `handle` (a redelivery to judge, say) by returning them: they are handled one at a
   * time after it. When it throws, the consumer hands all of them to `handle` one at a time, so a
   * message that fails is retried or dead-lettered alone and the others still count once.
   */
  handleBatch?(deliveries: readonly Delivery<z.infer<S>>[]): Promise<readonly Delivery<z.infer<S>>[] | void>;
}

/** Binds a handler to a contract with the value's type inferred; `batch` handles many messages of a partition at once. */
export function subscription<S extends z.ZodType>(
  contract: TopicContract<S>,
  handle: (value: z.infer<S>, meta: MessageMeta) => Promise<void>,
  batch?: (deliveries: readonly Delivery<z.infer<S>>[]) => Promise<readonly Delivery<z.infer<S>>[] | void>,
): Subscription {
  return { contract, handle: handle as Subscription['handle'], handleBatch: batch as Subscription['handleBatch'] };
}

/** A run given up between two messages handled alone, the consumer stopping or its partitions taken. */
class RunAbandoned extends Error {
  constructor() {
    super('run abandoned: the consumer stopped or its partitions were reassigned');
  }
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
  /** Most messages handed to a subscription's `handleBatch` at once (500 when unset). */
  maxBatchSize?: number;
  /** Partitions handled at the same time by this consumer (kafkajs `partitionsConsumedConcurrently`; 4 when unset). */
  partitionsConcurrently?: number;
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
 * handlers must be idempotent. Several partitions are handled at once; within a partition, messages
 * are handled in order, by bounded runs through a subscription's `handleBatch` when it has one. A message that cannot be decoded, fails its schema, carries another
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
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 4,
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

  private async eachBatch(payload: EachBatchPayload) {
    const subscription = this.byTopic.get(payload.batch.topic);
    if (subscription?.handleBatch) return this.eachBatchInRuns(subscription, payload);
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const started = process.hrtime.bigint();
      const headers = message.headers ?? {};
      const context = { correlationId: headerText(headers['x-correlation-id']), eventId: headerText(headers['x-event-id']) };
      await logContext.run(context, async () => {
        const checked = await this.check(batch.topic, batch.partition, message);
        if (checked) await this.handleOne(checked.subscription, checked.delivery, message, heartbeat);
      });
      this.done(batch.topic, batch.partition, Number(batch.highWatermark), message.offset, Number(process.hrtime.bigint() - started) / 1e9);
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /**
   * A partition's messages in runs of up to `maxBatchSize` valid ones, each run handed to the
   * subscription's `handleBatch` and its offsets resolved only after it returned; a message that
   * fails its checks is dead-lettered in its place in the order, after the run before it.
   */
  private async eachBatchInRuns(subscription: Subscription, payload: EachBatchPayload) {
    try {
      await this.handleInRuns(subscription, payload);
    } catch (err) {
      // Stopping or rebalanced in the middle of a run handled one message at a time: nothing of the
      // run is resolved, and the partition's next owner handles it again (handlers are idempotent).
      if (err instanceof RunAbandoned) return;
      throw err;
    }
  }

  private async handleInRuns(subscription: Subscription, payload: EachBatchPayload) {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const max = this.options.maxBatchSize ?? 500;
    const highWatermark = Number(batch.highWatermark);
    const stopped = () => !isRunning() || isStale();
    let run: { delivery: Delivery; message: KafkaMessage }[] = [];
    const flush = async () => {
      if (!run.length) return;
      const started = process.hrtime.bigint();
      await this.handleRun(subscription, run, heartbeat, stopped);
      const each = Number(process.hrtime.bigint() - started) / 1e9 / run.length;
      const last = run[run.length - 1].message.offset;
      this.done(batch.topic, batch.partition, highWatermark, last, each, run.length);
      resolveOffset(last);
      run = [];
      await commitOffsetsIfNecessary();
      await heartbeat();
    };
    for (const message of batch.messages) {
      // Stopping or rebalanced: what is not handled yet is not resolved, and comes again.
      if (!isRunning() || isStale()) return;
      const started = process.hrtime.bigint();
      const checked = await this.check(batch.topic, batch.partition, message, flush);
      if (checked) {
        run.push({ delivery: checked.delivery, message });
        if (run.length >= max) await flush();
        continue;
      }
      this.done(batch.topic, batch.partition, highWatermark, message.offset, Number(process.hrtime.bigint() - started) / 1e9);
      resolveOffset(message.offset);
    }
    if (!isRunning() || isStale()) return;
    await flush();
  }

  /**
   * A run through the batch handler, or, when it fails, one message at a time. Between two messages
   * handled alone, a consumer stopping or rebalanced gives the run up (`RunAbandoned`): a run of
   * thousands handled alone outlasts a rebalance, and the partition's new owner handles it anyway.
   */
  private async handleRun(
    subscription: Subscription,
    run: { delivery: Delivery; message: KafkaMessage }[],
    heartbeat: () => Promise<void>,
    stopped: () => boolean,
  ) {
    let left: readonly Delivery[] | void;
    try {
      left = await subscription.handleBatch!(run.map((r) => r.delivery));
    } catch (err) {
      const { topic, partition, offset } = run[0].delivery.meta;
      this.logger.warn(`${topic}[${partition}] run of ${run.length} from offset ${offset} failed (${(err as Error).message}); handling its messages one at a time`);
      for (const { delivery, message } of run) {
        if (stopped()) throw new RunAbandoned();
        const headers = message.headers ?? {};
        const context = { correlationId: headerText(headers['x-correlation-id']), eventId: headerText(headers['x-event-id']) };
        await logContext.run(context, () => this.handleOne(subscription, delivery, message, heartbeat));
        // One at a time a run takes longer than the session may last without a word to the group.
        await heartbeat();
      }
      return;
    }
    for (const delivery of left ?? []) {
      if (stopped()) throw new RunAbandoned();
      const { message } = run.find((r) => r.delivery === delivery) ?? {};
      if (!message) throw new Error(`a batch handler of ${delivery.meta.topic} left a message it was not given`);
      await this.handleOne(subscription, delivery, message, heartbeat);
      await heartbeat();
    }
  }

  /** Counts messages done with (handled or dead-lettered; `count` of them up to `offset`, `seconds` each) and what remains behind them on their partition. */
  private done(topic: string, partition: number, highWatermark: number, offset: string, seconds: number, count = 1) {
    const lag = Math.max(0, highWatermark - Number(offset) - 1);
    this.stats.consumed.set(topic, (this.stats.consumed.get(topic) ?? 0) + count);
    this.stats.lag.set(`${topic}:${partition}`, lag);
    this.options.metrics?.handled(this.options.groupId, topic, partition, seconds, lag, count);
  }

  /**
   * Decodes a message and checks it against its contract (schema, key). One that fails is
   * dead-lettered (after `beforeDeadLetter`, which lets a run before it finish first) and null is returned.
   */
  private async check(
    topic: string,
    partition: number,
    message: KafkaMessage,
    beforeDeadLetter?: () => Promise<void>,
  ): Promise<{ subscription: Subscription; delivery: Delivery } | null> {
    const reject = async (code: DeadLetterCode, reason: string) => {
      await beforeDeadLetter?.();
      await this.deadLetter(topic, partition, message, code, reason, 0);
      return null;
    };
    const subscription = this.byTopic.get(topic);
    if (!subscription) return reject(DeadLetterCode.Rejected, `no handler for topic ${topic}`);
    const decoded = decodeMessage(subscription.contract, message.value);
    if (!decoded.ok) {
      return reject(decoded.code === 'UNPARSEABLE' ? DeadLetterCode.Unparseable : DeadLetterCode.InvalidSchema, decoded.reason);
    }
    // The key decides the partition, hence what is seen in order: a producer that keys otherwise breaks that.
    const key = message.key === null ? null : message.key.toString('utf8');
    const expectedKey = subscription.contract.key(decoded.value);
    if (key !== expectedKey) {
      const given = key === null ? 'no key' : `key ${JSON.stringify(key.slice(0, 200))}`;
      return reject(DeadLetterCode.WrongKey, `${given}; the contract keys this value ${JSON.stringify(expectedKey)}`);
    }
    const meta: MessageMeta = { topic, partition, offset: message.offset, key, headers: message.headers ?? {}, attempt: 1 };
    return { subscription, delivery: { value: decoded.value, meta } };
  }

  /**
   * One message through its handler: retried with backoff while the failure is transient, else
   * dead-lettered. Only failures that are not an outage count toward `maxAttempts`: attempts made
   * while the database or broker was away say nothing about the message, and the first failure of
   * another kind once it is back (a connection the outage cut, say) must not find the bound spent.
   */
  private async handleOne(subscription: Subscription, delivery: Delivery, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const { topic, partition } = delivery.meta;
    const { maxAttempts } = this.options;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await subscription.handle(delivery.value, { ...delivery.meta, attempt });
        return;
      } catch (err) {
        const verdict = judgeFailure(err);
        if (verdict.action === 'dead-letter') {
          await this.deadLetter(topic, partition, message, verdict.code, verdict.reason, attempt);
          return;
        }
        // A database or broker outage is waited out (nothing committed past this message); it ends when the consumer stops.
        if (verdict.untilAvailable && !this.running) throw err;
        if (!verdict.untilAvailable && ++failures >= maxAttempts) {
          await this.deadLetter(topic, partition, message, DeadLetterCode.RetriesExhausted, verdict.reason, attempt);
          return;
        }
        this.logger.warn(
          `${topic}[${partition}]@${message.offset} attempt ${attempt} failed${verdict.untilAvailable ? ' (waiting for the outage to end)' : ` (failure ${failures}/${maxAttempts})`}: ${verdict.reason}`,
        );
        await this.backoff(verdict.untilAvailable ? attempt : failures, heartbeat);
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
