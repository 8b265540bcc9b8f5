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
}

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
