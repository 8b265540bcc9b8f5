import { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
}

/**
 * Creates topics that do not exist yet (the broker runs with auto-creation off), waiting until each
 * has a leader so that the first produce does not fail. Existing topics are left as they are.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = uniqueByTopic(specs).filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: -1 })),
    });
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

function uniqueByTopic(specs: TopicSpec[]): TopicSpec[] {
  const byTopic = new Map<string, TopicSpec>();
  for (const s of specs) byTopic.set(s.topic, s);
  return [...byTopic.values()];
}
