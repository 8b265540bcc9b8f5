import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, Partitioners, Producer } from 'kafkajs';
import { z } from 'zod';
import { TopicContract, describeIssues, topicName } from '@roadloop/contracts';
import { AppError } from '@roadloop/http';

/** The code of the error `send` throws when the broker refuses a message as larger than its limit. */
export const MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE';

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

export interface PublishOptions {
  correlationId: string;
  /** Set when the event's identity must be stable across retries (e.g. an outbox row's id). */
  eventId?: string;
  occurredAt?: Date;
  headers?: IHeaders;
}

type PayloadOf<S extends z.ZodType> = z.infer<S> extends { payload: infer P } ? P : never;

/**
 * Publishes events through one producer: wraps the payload in the envelope, validates it
 * against the topic's schema, and keys it with the contract's key function.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

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
    const candidate = {
      eventId: options.eventId ?? randomUUID(),
      occurredAt: (options.occurredAt ?? new Date()).toISOString(),
      schemaVersion: contract.schemaVersion,
      source: this.source,
      correlationId: options.correlationId,
      payload,
    };
    const parsed = contract.valueSchema.safeParse(candidate);
    if (!parsed.success) throw new InvalidEventError(contract.topic, describeIssues(parsed.error));
    const value = parsed.data;
    await this.send(this.topic(contract), [
      {
        key: contract.key(value),
        value: JSON.stringify(value),
        headers: { 'x-event-id': candidate.eventId, 'x-correlation-id': options.correlationId, ...options.headers },
      },
    ]);
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
    const occurredAt = (options.occurredAt ?? new Date()).toISOString();
    const messages = payloads.map((payload) => {
      const eventId = randomUUID();
      const parsed = contract.valueSchema.safeParse({
        eventId,
        occurredAt,
        schemaVersion: contract.schemaVersion,
        source: this.source,
        correlationId: options.correlationId,
        payload,
      });
      if (!parsed.success) throw new InvalidEventError(contract.topic, describeIssues(parsed.error));
      return {
        key: contract.key(parsed.data),
        value: JSON.stringify(parsed.data),
        headers: { 'x-event-id': eventId, 'x-correlation-id': options.correlationId, ...options.headers },
      };
    });
    if (messages.length) await this.send(this.topic(contract), messages);
    return messages.length;
  }

  /** Sends already-encoded messages (dead letters, relays) to a full topic name. */
  async send(
    topic: string,
    messages: { key: string | Buffer | null; value: string | Buffer | null; headers?: IHeaders }[],
  ): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({ topic, acks: -1, messages });
    } catch (err) {
      // Retrying cannot make a message smaller than the broker's message.max.bytes.
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') throw new AppError('invalid', MESSAGE_TOO_LARGE, `could not publish to ${topic}: ${(err as Error).message}`);
      // Retriable for consumers (they back off and retry); 503 at the HTTP edge.
      throw new AppError('unavailable', 'BROKER_UNAVAILABLE', `could not publish to ${topic}: ${(err as Error).message}`);
    }
  }
}
