/**
 * `roadloop.deadletter.v1`: messages a consumer could not process. The value is the original bytes,
 * unchanged; the key is the original key; the headers say where it came from and why it failed.
 */
export const deadLetterTopic = Object.freeze({
  topic: 'roadloop.deadletter.v1',
  defaultPartitions: 1,
  // Operational: a dead letter is read, repaired and replayed at its source offset, not rebuilt from.
  retention: 'broker-default' as const,
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
  /** Only when the value was left out: its size in bytes (the dead letter would not fit the broker's limit with it; read it at the source offset). */
  valueDropped: 'x-dlq-value-dropped',
} as const;

/** Why a message was dead-lettered. */
export enum DeadLetterCode {
  /** Not JSON, or not UTF-8. */
  Unparseable = 'UNPARSEABLE',
  /** JSON that fails the topic's schema. */
  InvalidSchema = 'INVALID_SCHEMA',
  /** The key is not the one the topic's contract gives the value (or there is none): ordering per key would break. */
  WrongKey = 'WRONG_KEY',
  /** The handler refused it for a reason retrying cannot change (a business rule, a constraint or data error). */
  Rejected = 'REJECTED',
  /** Its `eventId` was recorded before for a different event: every event needs an id of its own. */
  DuplicateEventId = 'DUPLICATE_EVENT_ID',
  /** Its report id (`hazardId`, `accidentId`) was recorded before with different content. */
  DuplicateReportId = 'DUPLICATE_REPORT_ID',
  /** Its `externalId` was recorded before for another accident. */
  DuplicateExternalId = 'DUPLICATE_EXTERNAL_ID',
  /** The handler kept failing (connection, timeout, unknown error) after the bounded retries. */
  RetriesExhausted = 'RETRIES_EXHAUSTED',
}
