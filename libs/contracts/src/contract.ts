import { z } from 'zod';

/**
 * One Kafka topic: its name, the schema of its values, and the function that keys a value.
 * The key decides the partition, so it decides which values are seen in order by one consumer.
 */
export interface TopicContract<S extends z.ZodType = z.ZodType> {
  /** Base topic name, `roadloop.<entity>.<event>.v<N>`; deployments may prefix it. */
  readonly topic: string;
  readonly schemaVersion: number;
  readonly valueSchema: S;
  /** Key of a valid value: what must stay in order. */
  key(value: z.infer<S>): string;
  /** Partition count used when the project creates the topic (overridable by configuration). */
  readonly defaultPartitions: number;
  /**
   * How long the broker keeps the topic's messages (set at creation, reconciled at every start).
   * Every topic of the product declares it (a contract test checks); unset is `broker-default`.
   */
  readonly retention?: TopicRetention;
}

/**
 * How long the broker keeps a topic's messages (docs/log-as-system-of-record.md):
 * - `history`: every message, forever — the log is the system of record of the state built from it,
 *   and a rebuild replays it from offset 0;
 * - `latest-per-key`: compacted — the newest message of each key, forever (the key names the thing
 *   and only its latest value matters);
 * - `broker-default`: whatever the broker keeps (7 days unless configured) — nothing is rebuilt from it.
 */
export type TopicRetention = 'history' | 'latest-per-key' | 'broker-default';

/** What each retention kind keeps, as the broker's topic settings say it (none: the broker's defaults). */
export const TOPIC_RETENTION_SETTINGS: Readonly<Record<TopicRetention, { cleanupPolicy: 'delete' | 'compact'; retentionMs?: number; retentionBytes?: number } | null>> = {
  history: { cleanupPolicy: 'delete', retentionMs: -1, retentionBytes: -1 },
  'latest-per-key': { cleanupPolicy: 'compact' },
  'broker-default': null,
};

export function defineTopic<S extends z.ZodType>(contract: TopicContract<S>): TopicContract<S> {
  return Object.freeze(contract);
}

/** The topic name in a deployment: an optional prefix (used to isolate test runs) plus the base name. */
export function topicName(contract: Pick<TopicContract, 'topic'>, prefix = ''): string {
  return prefix ? `${prefix}.${contract.topic}` : contract.topic;
}

/** A readable one-line reason from a schema failure, naming each bad field (an unknown one under its own name). */
export function describeIssues(error: z.ZodError): string {
  const at = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');
  return error.issues
    .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => `${at([...i.path, k])}: unknown field`) : [`${at(i.path)}: ${i.message}`]))
    .join('; ');
}
