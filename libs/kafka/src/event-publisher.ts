import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, Partitioners, Producer } from 'kafkajs';
import { z } from 'zod';
import { TopicContract, describeIssues, topicName } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';

/** The code of the error `send` throws when the broker refuses a message as larger than its limit. */
export const MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE';
/** The code of the error `send` throws when the broker refuses a request and says retrying will not help (authorisation, a record it rejects). */
export const BROKER_REFUSED = 'BROKER_REFUSED';

/** A value that does not satisfy its topic's schema was about to be published: a bug, not a retry. */
export class InvalidEventError extends Error {
  constructor(
    readonly topic: string,
    readonly reason: string,
  ) {
    super(`refusing to publish an invalid ${topic} event: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

type OutgoingMessage = { key: string | Buffer | null; value: string | Buffer | null; headers?: IHeaders };

/**
 * A request holds at most this many messages and bytes (values, keys and headers; well under the
 * broker's 1 MB batch limit): sends waiting for the request in flight are merged into the next one up
 * to these, and one send larger than them goes as several requests, in order.
 */
const MAX_MESSAGES_PER_REQUEST = 5_000;
const MAX_BYTES_PER_REQUEST = 512 * 1024;

export interface PublishOptions {
  correlationId: string;
  /** Set when the event's identity must be stable across retries (e.g. an outbox row's id). */
  eventId?: string;
  occurredAt?: Date;
  headers?: IHeaders;
  /**
   * Withdraws the event while it still waits for the request in flight (it is then never sent, and
   * the publish fails with WITHDRAWN); once in a request it is sent, and the publish tells how that went.
   */
  signal?: AbortSignal;
}

type PayloadOf<S extends z.ZodType> = z.infer<S> extends { payload: infer P } ? P : never;

/**
 * Publishes events through one producer: wraps the payload in the envelope, validates it
 * against the topic's schema, and keys it with the contract's key function.
 *
 * One produce request is in flight at a time (a key's events stay in order); sends made while it is
 * in flight wait and go together in the next request, so many concurrent callers (HTTP reports,
 * partitions handled at once) share round trips instead of queueing one by one, and a lone send
 * waits for nothing.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;
  private readonly waiting: { topic: string; messages: OutgoingMessage[]; done: (err?: unknown) => void }[] = [];
  private sending = false;

  constructor(
    kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly source: string,
  ) {
    // One request in flight keeps a key's events in order across retries. The idempotent producer
    // is not used: kafkajs wants unbounded retries for it, which would hang a report while the
    // broker is down instead of answering 503; the rare duplicate a retry can cause is absorbed by
    // the consumers, which are idempotent anyway.
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  topic(contract: Pick<TopicContract, 'topic'>): string {
    return topicName(contract, this.topicPrefix);
  }

  async publish<S extends z.ZodType>(
    contract: TopicContract<S>,
    payload: PayloadOf<S>,
    options: PublishOptions,
  ): Promise<z.infer<S>> {
    const [value] = await this.publishEach(contract, [{ payload, options }]);
    return value;
  }

  /**
   * Publishes many events of one topic in one request (e.g. a region's segment profiles). Every
   * payload is validated first; nothing is sent when one is invalid.
   */
  async publishMany<S extends z.ZodType>(
    contract: TopicContract<S>,
    payloads: readonly PayloadOf<S>[],
    options: Omit<PublishOptions, 'eventId'>,
  ): Promise<number> {
    const occurredAt = options.occurredAt ?? new Date();
    const sent = await this.publishEach(contract, payloads.map((payload) => ({ payload, options: { ...options, occurredAt } })));
    return sent.length;
  }

  /**
   * Publishes several events of one topic, each with its own correlation (e.g. one per report of a
   * batch), in one request. Every event is validated first; nothing is sent when one is invalid.
   * Returns the envelopes sent, in order.
   */
  async publishEach<S extends z.ZodType>(
    contract: TopicContract<S>,
    events: readonly { payload: PayloadOf<S>; options: PublishOptions }[],
  ): Promise<z.infer<S>[]> {
    const values: z.infer<S>[] = [];
    const messages = events.map(({ payload, options }) => {
      const eventId = options.eventId ?? randomUUID();
      const parsed = contract.valueSchema.safeParse({
        eventId,
        occurredAt: (options.occurredAt ?? new Date()).toISOString(),
        schemaVersion: contract.schemaVersion,
        source: this.source,
        correlationId: options.correlationId,
        payload,
      });
      if (!parsed.success) throw new InvalidEventError(contract.topic, describeIssues(parsed.error));
      values.push(parsed.data);
      return {
        key: contract.key(parsed.data),
        value: JSON.stringify(parsed.data),
        headers: { 'x-event-id': eventId, 'x-correlation-id': options.correlationId, ...options.headers },
      };
    });
    if (messages.length) await this.send(this.topic(contract), messages, events[0]?.options.signal);
    return values;
  }

  /**
   * Sends already-encoded messages (dead letters, relays) to a full topic name; `signal` as in
   * `PublishOptions`. Messages beyond a request's limits go in the requests after, in order (a run's
   * events for one partition would otherwise make a batch the broker refuses); the send succeeds when
   * all did, and fails with the first part that failed, the parts still waiting then withdrawn (the
   * parts sent before stay sent: a caller that tries again publishes them twice, which consumers,
   * idempotent, absorb).
   */
  async send(topic: string, messages: OutgoingMessage[], signal?: AbortSignal): Promise<void> {
    try {
      if (signal?.aborted) throw withdrawn(topic);
      await this.connect();
      if (signal?.aborted) throw withdrawn(topic);
      await new Promise<void>((resolve, reject) => {
        let left = 0;
        let settled = false;
        const settle = (err?: unknown) => {
          settled = true;
          signal?.removeEventListener('abort', withdraw);
          if (err === undefined) return resolve();
          // A part failed or the send was withdrawn: the parts still waiting are not sent.
          for (const part of parts) {
            const at = this.waiting.indexOf(part);
            if (at >= 0) this.waiting.splice(at, 1);
          }
          reject(err);
        };
        // Only while every part still waits: once one is in a request the send goes on, and tells how that went.
        const withdraw = () => {
          if (!settled && parts.every((part) => this.waiting.includes(part))) settle(withdrawn(topic));
        };
        const done = (err?: unknown) => {
          if (settled) return;
          if (err !== undefined) settle(err);
          else if (--left === 0) settle();
        };
        const parts = inRequests(messages).map((part) => ({ topic, messages: part, done }));
        left = parts.length;
        signal?.addEventListener('abort', withdraw, { once: true });
        this.waiting.push(...parts);
        void this.drain();
      });
    } catch (err) {
      if (err instanceof AppError && err.code === WITHDRAWN) throw err;
      // Retrying cannot make a message smaller than the broker's message.max.bytes.
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') throw new AppError('invalid', MESSAGE_TOO_LARGE, `could not publish to ${topic}: ${(err as Error).message}`);
      // A refusal the broker marks final: 503 at the HTTP edge, a bounded retry then a dead letter for consumers.
      if ((err as { retriable?: boolean; type?: string }).retriable === false && (err as { type?: string }).type) {
        throw new AppError('unavailable', BROKER_REFUSED, `could not publish to ${topic}: ${(err as Error).message}`);
      }
      // The broker away: retried by consumers until it is back; 503 at the HTTP edge.
      throw new AppError('unavailable', 'BROKER_UNAVAILABLE', `could not publish to ${topic}: ${(err as Error).message}`);
    }
  }

  /**
   * Sends what waits, a request at a time: the sends that queued up go together. When the broker
   * refuses one message of a merged request as too large, each send is tried alone so only that one
   * fails; any other failure (the broker away) fails all of them, which their callers retry or answer 503.
   */
  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.waiting.length) {
        const group = [this.waiting.shift()!];
        let count = group[0].messages.length;
        let bytes = sizeOf(group[0].messages);
        while (
          this.waiting.length &&
          count + this.waiting[0].messages.length <= MAX_MESSAGES_PER_REQUEST &&
          bytes + sizeOf(this.waiting[0].messages) <= MAX_BYTES_PER_REQUEST
        ) {
          count += this.waiting[0].messages.length;
          bytes += sizeOf(this.waiting[0].messages);
          group.push(this.waiting.shift()!);
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: mergeByTopic(group) });
          for (const g of group) g.done();
        } catch (err) {
          if (group.length === 1 || (err as { type?: string }).type !== 'MESSAGE_TOO_LARGE') {
            for (const g of group) g.done(err);
            continue;
          }
          for (const g of group) {
            try {
              await this.producer.send({ topic: g.topic, acks: -1, messages: g.messages });
              g.done();
            } catch (alone) {
              g.done(alone);
            }
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

function sizeOf(messages: readonly OutgoingMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += messageSize(m);
  return bytes;
}

/** A message's bytes in a request, near enough: its value, key and headers, and a record's own fields. */
function messageSize(m: OutgoingMessage): number {
  const length = (v: string | Buffer | null | undefined) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  let bytes = RECORD_OVERHEAD + length(m.value) + length(m.key);
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) bytes += RECORD_OVERHEAD + Buffer.byteLength(name) + length(v as string | Buffer | undefined);
  }
  return bytes;
}

/** Bytes a record or a header adds besides its contents (lengths, offsets, timestamps), rounded up. */
const RECORD_OVERHEAD = 24;

/**
 * Messages cut into the requests that hold them, in order: each within the limits, or one message
 * alone. Exported for the pipeline bench, whose load generator sends as this publisher does.
 */
export function inRequests<M extends OutgoingMessage>(messages: M[]): M[][] {
  const parts: M[][] = [];
  let part: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = messageSize(m);
    if (part.length && (part.length === MAX_MESSAGES_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(m);
    bytes += size;
  }
  parts.push(part);
  return parts;
}

/** The code of the error a publish fails with when its signal withdrew it before it was sent. */
export const WITHDRAWN = 'WITHDRAWN';

function withdrawn(topic: string): AppError {
  return new AppError('unavailable', WITHDRAWN, `withdrawn before it was sent to ${topic}`);
}

/** One entry per topic, its messages in the order they were sent. */
function mergeByTopic(group: readonly { topic: string; messages: OutgoingMessage[] }[]) {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const { topic, messages } of group) {
    const list = byTopic.get(topic);
    if (list) list.push(...messages);
    else byTopic.set(topic, [...messages]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
