import { Admin, ConfigResourceTypes, ConfigSource, Kafka } from 'kafkajs';
import { TOPIC_RETENTION_SETTINGS, type TopicRetention } from '@roadloop/contracts';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 (the default) takes the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Topic settings (`retention.ms`, `cleanup.policy` …): given at creation, and set again on a topic that differs. */
  config?: Readonly<Record<string, string>>;
}

/**
 * The broker settings of a retention kind. Topics kept as history or compacted stamp each message
 * with the broker's append time (one clock, never going backwards within a partition), which a
 * rebuild orders the topics' messages by.
 */
export function retentionConfig(retention: TopicRetention = 'broker-default'): Record<string, string> {
  const kept = TOPIC_RETENTION_SETTINGS[retention];
  if (!kept) return {};
  return {
    'cleanup.policy': kept.cleanupPolicy,
    ...(kept.retentionMs === undefined ? {} : { 'retention.ms': String(kept.retentionMs) }),
    ...(kept.retentionBytes === undefined ? {} : { 'retention.bytes': String(kept.retentionBytes) }),
    'message.timestamp.type': 'LogAppendTime',
  };
}

export interface EnsureTopicsOptions {
  /** Rounds of list → create → wait for leaders before giving up on a state that keeps changing. */
  attempts?: number;
  /** Backoff before round n+1 is min(retryBaseMs · 2^(n−1), retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Told of each transient failure before the next round (for logs). */
  onRetry?: (reason: string, attempt: number) => void;
  /** Told of each existing topic whose settings were changed to the ones asked for (for logs). */
  onReconfigured?: (topic: string, settings: Record<string, string>) => void;
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
 * A topic that existed with other settings than its spec's `config` (created before retention was
 * decided, or changed by hand) gets the spec's settings; its other topic-level settings are kept.
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
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor: s.replicationFactor ?? -1,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
        if (createdHere) for (const s of missing) created.add(s.topic);
      }
      const waiting = await topicsWithoutLeaders(admin, wanted);
      if (waiting.length) throw new TransientTopicState(`waiting for partition leaders of ${waiting.join(', ')}`);
      await reconcileConfigs(admin, wanted, options.onReconfigured);
      return wanted.map((s) => s.topic).filter((t) => created.has(t));
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

/**
 * Sets the asked-for settings on every topic whose current ones differ. kafkajs only has the
 * non-incremental AlterConfigs, which resets every topic-level setting it is not given: the topic's
 * other topic-level settings are read first and sent along, so an operator's own settings survive.
 */
async function reconcileConfigs(
  admin: Admin,
  specs: TopicSpec[],
  onReconfigured?: (topic: string, settings: Record<string, string>) => void,
): Promise<void> {
  const configured = specs.filter((s) => s.config && Object.keys(s.config).length);
  if (!configured.length) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: configured.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
  });
  const byName = new Map(resources.map((r) => [r.resourceName, r]));
  for (const spec of configured) {
    const described = byName.get(spec.topic);
    if (!described || described.errorCode) {
      throw new TransientTopicState(`settings of ${spec.topic} not readable yet${described?.errorMessage ? `: ${described.errorMessage}` : ''}`);
    }
    const wanted = spec.config!;
    const current = new Map(described.configEntries.map((e) => [e.configName, e.configValue]));
    const differing = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => current.get(name) !== value));
    if (!Object.keys(differing).length) continue;
    const kept = described.configEntries
      .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.isSensitive && !(e.configName in wanted))
      .map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: spec.topic, configEntries: [...kept, ...Object.entries(wanted).map(([name, value]) => ({ name, value }))] },
      ],
    });
    onReconfigured?.(spec.topic, differing);
  }
}

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
