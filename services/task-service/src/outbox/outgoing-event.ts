import { randomUUID } from 'node:crypto';
import { TopicContract, describeIssues, topicName } from '@roadloop/contracts';
import { InvalidEventError } from '@roadloop/kafka';
import { OutboxMessage } from './outbox.repository';

export interface EventMeta {
  occurredAt: Date;
  correlationId: string;
  /** Fixed by the caller when something else (the audit trail) records it too; fresh otherwise. */
  eventId?: string;
}

/**
 * A whole event for the outbox: the envelope around a payload, checked against the topic's schema
 * here, so an invalid event fails the transaction that wanted it instead of reaching the broker.
 */
export function outgoingEvent(contract: TopicContract, prefix: string, payload: unknown, meta: EventMeta): OutboxMessage {
  const candidate = {
    eventId: meta.eventId ?? randomUUID(),
    occurredAt: meta.occurredAt.toISOString(),
    schemaVersion: contract.schemaVersion,
    source: 'task-service',
    correlationId: meta.correlationId,
    payload,
  };
  const parsed = contract.valueSchema.safeParse(candidate);
  if (!parsed.success) throw new InvalidEventError(contract.topic, describeIssues(parsed.error));
  return { eventId: candidate.eventId, topic: topicName(contract, prefix), key: contract.key(parsed.data), value: parsed.data as Record<string, unknown> };
}
