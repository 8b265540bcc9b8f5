import { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 (the default) takes the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

export interface EnsureTopicsOptions {
  /** Rounds of list → create → wait for leaders before giving up on a state that keeps changing. */
  attempts?: number;
  /** Backoff before round n+1 is min(retryBaseMs · 2^(n−1), retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Told of each transient failure before the next round (for logs). */
  onRetry?: (reason: string, attempt: number) => void;
}

/** The broker refused to create a topic (bad settings, no permission): retrying cannot help. */
export class TopicCreationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopicCreationError';
  }
}

/**
 * Creates the topics that do not exist yet (the broker runs with auto-creation off) and returns
 * once every topic asked for, created here or by another process, has a leader on each partition.
 *
 * Services of one deployment start together and ask for overlapping topics, so another creator is
 * the normal case: a topic that already exists counts as created, and while the broker is still
 * creating a topic its metadata answers UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, which
 * kafkajs's own leader wait does not retry. Those states, and a broker that cannot be reached, are
 * retried for a bounded number of rounds; a refusal (invalid settings, authorisation) is not.
 * Returns the names this call created.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], options: EnsureTopicsOptions = {}): Promise<string[]> {
  const attempts = options.attempts ?? 12;
  const wanted = uniqueByTopic(specs);
  if (wanted.length === 0) return [];
  const created = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    // Few retries inside kafkajs: this loop decides how long to wait, and an unreachable broker is
    // the caller's to retry (it is not a topic state that settles in a moment).
    const admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((s) => !existing.has(s.topic));
      if (missing.length) {
        // kafkajs answers false (no throw) when every failure is TOPIC_ALREADY_EXISTS: another process won.
        const createdHere = await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: s.replicationFactor ?? -1 })),
        });
        if (createdHere) for (const s of missing) created.add(s.topic);
      }
      const waiting = await topicsWithoutLeaders(admin, wanted);
      if (waiting.length === 0) return wanted.map((s) => s.topic).filter((t) => created.has(t));
      throw new TransientTopicState(`waiting for partition leaders of ${waiting.join(', ')}`);
    } catch (err) {
      const refusal = refusalOf(err, wanted);
      if (refusal) throw new TopicCreationError(refusal);
      if (isUnreachable(err)) throw err;
      const reason = describe(err);
      if (attempt >= attempts) {
        throw new TopicCreationError(`topics ${wanted.map((s) => s.topic).join(', ')} not ready after ${attempts} attempts: ${reason}`);
      }
      options.onRetry?.(reason, attempt);
      const delay = Math.min((options.retryBaseMs ?? 100) * 2 ** (attempt - 1), options.retryMaxMs ?? 2_000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

class TransientTopicState extends Error {}

/** Topics whose metadata does not yet show a leader on every partition (or not the whole topic). */
async function topicsWithoutLeaders(admin: Admin, wanted: TopicSpec[]): Promise<string[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: wanted.map((s) => s.topic) });
  const byName = new Map(topics.map((t) => [t.name, t]));
  return wanted
    .filter((s) => {
      const t = byName.get(s.topic);
      return !t || t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0);
    })
    .map((s) => s.topic);
}

/** Protocol errors that mean the broker will not create the topic, whatever the timing. */
const REFUSALS = new Set([
  'INVALID_REPLICATION_FACTOR',
  'INVALID_PARTITIONS',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_CONFIG',
  'INVALID_REPLICA_ASSIGNMENT',
  'POLICY_VIOLATION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_VERSION',
]);

interface ProtocolFailure {
  type?: string;
  message?: string;
  topic?: string;
  errors?: ProtocolFailure[];
}

function refusalOf(err: unknown, wanted: TopicSpec[]): string | undefined {
  const failures = flatten(err as ProtocolFailure).filter((f) => f.type && REFUSALS.has(f.type));
  if (failures.length === 0) return undefined;
  const names = wanted.map((s) => s.topic);
  return failures
    .map((f) => `the broker refused to create ${f.topic ?? names.join(', ')}: ${f.type} (${f.message ?? 'no detail'})`)
    .join('; ');
}

/** The broker could not be reached at all (refused, timed out, no broker in the list answered). */
function isUnreachable(err: unknown): boolean {
  return flatten(err as ProtocolFailure).some((f) => {
    const name = (f as { name?: string }).name;
    return name === 'KafkaJSConnectionError' || name === 'KafkaJSBrokerNotFound' || name === 'KafkaJSConnectionClosedError';
  });
}

function flatten(err: ProtocolFailure | undefined): ProtocolFailure[] {
  if (!err || typeof err !== 'object') return [];
  const cause = (err as { cause?: ProtocolFailure }).cause;
  return [err, ...(Array.isArray(err.errors) ? err.errors.flatMap(flatten) : []), ...(cause && cause !== err ? flatten(cause) : [])];
}

function describe(err: unknown): string {
  const f = err as ProtocolFailure;
  const inner = Array.isArray(f?.errors) && f.errors.length ? ` (${f.errors.map((e) => e.type ?? e.message).join(', ')})` : '';
  return `${err instanceof Error ? err.message : String(err)}${inner}`;
}

function uniqueByTopic(specs: TopicSpec[]): TopicSpec[] {
  const byTopic = new Map<string, TopicSpec>();
  for (const s of specs) byTopic.set(s.topic, s);
  return [...byTopic.values()];
}
