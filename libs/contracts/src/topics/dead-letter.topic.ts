/**
 * `roadloop.deadletter.v1`: messages a consumer could not process. The value is the original bytes,
 * unchanged; the key is the original key; the headers say where it came from and why it failed.
 */
export const deadLetterTopic = Object.freeze({
  topic: 'roadloop.deadletter.v1',
  defaultPartitions: 1,
});

export const DEAD_LETTER_HEADERS = {
  reason: 'x-dlq-reason',
  errorCode: 'x-dlq-error-code',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  consumerGroup: 'x-dlq-consumer-group',
  failedAt: 'x-dlq-failed-at',
  attempts: 'x-dlq-attempts',
} as const;

/** Why a message was dead-lettered. */
export enum DeadLetterCode {
  /** Not JSON, or not UTF-8. */
  Unparseable = 'UNPARSEABLE',
  /** JSON that fails the topic's schema. */
  InvalidSchema = 'INVALID_SCHEMA',
  /** The handler refused it for a reason retrying cannot change. */
  Rejected = 'REJECTED',
  /** The handler kept failing after the bounded retries. */
  RetriesExhausted = 'RETRIES_EXHAUSTED',
}
