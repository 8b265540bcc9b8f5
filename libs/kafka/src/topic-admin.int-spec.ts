import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { TopicCreationError, ensureTopics, retentionConfig } from './topic-admin';

jest.setTimeout(180_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Two services of one deployment start at once and both create the topics they share. */
describe(ensureTopics.name, () => {
  const kafkas = [0, 1].map((i) => new Kafka({ clientId: `topic-admin-int-${i}`, brokers, logLevel: logLevel.NOTHING }));
  const created: string[] = [];

  afterAll(async () => {
    const admin = kafkas[0].admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = created.filter((t) => existing.has(t));
    for (let i = 0; i < topics.length; i += 50) await admin.deleteTopics({ topics: topics.slice(i, i + 50) });
    await admin.disconnect();
  });

  it('creates the same fresh topics from two clients at once, 30 times, without a failure', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 30; round++) {
      const prefix = `adm${randomBytes(4).toString('hex')}`;
      // Overlapping but not equal sets, as the risk and task services ask for.
      const a = ['reports', 'matched', 'risk', 'dlq'].map((t) => ({ topic: `${prefix}.${t}`, partitions: 3 }));
      const b = ['risk', 'matched', 'tasks', 'dlq'].map((t) => ({ topic: `${prefix}.${t}`, partitions: 3 }));
      created.push(...new Set([...a, ...b].map((s) => s.topic)));
      const results = await Promise.allSettled([ensureTopics(kafkas[0], a), ensureTopics(kafkas[1], b)]);
      for (const r of results) if (r.status === 'rejected') failures.push(`round ${round}: ${(r.reason as Error).message}`);
      if (results.every((r) => r.status === 'fulfilled')) {
        // Every topic either side asked for has a leader on every partition once both returned.
        const admin = kafkas[0].admin();
        await admin.connect();
        const { topics } = await admin.fetchTopicMetadata({ topics: [...new Set([...a, ...b].map((s) => s.topic))] });
        await admin.disconnect();
        for (const t of topics) {
          expect(t.partitions).toHaveLength(3);
          for (const p of t.partitions) expect(p.leader).toBeGreaterThanOrEqual(0);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('says which topic the broker refuses and why, without retrying a refusal', async () => {
    const prefix = `adm${randomBytes(4).toString('hex')}`;
    const retries: string[] = [];
    // A replication factor the single broker cannot satisfy is a refusal, not a transient state.
    const attempt = ensureTopics(kafkas[0], [{ topic: `${prefix}.unreplicable`, partitions: 1, replicationFactor: 3 }], {
      onRetry: (reason) => retries.push(reason),
    });
    await expect(attempt).rejects.toThrow(TopicCreationError);
    await expect(attempt).rejects.toThrow(/unreplicable.*INVALID_REPLICATION_FACTOR|INVALID_REPLICATION_FACTOR.*unreplicable/s);
    expect(retries).toEqual([]);
  });

  it('creates nothing and returns no names when every topic exists', async () => {
    const prefix = `adm${randomBytes(4).toString('hex')}`;
    const specs = [{ topic: `${prefix}.once`, partitions: 1 }];
    created.push(specs[0].topic);
    expect(await ensureTopics(kafkas[0], specs)).toEqual([specs[0].topic]);
    expect(await ensureTopics(kafkas[1], specs)).toEqual([]);
  });

  /** The settings the broker reports for a topic (its own, its broker's or the default), by name. */
  async function settingsOf(topic: string): Promise<Map<string, string>> {
    const admin = kafkas[0].admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      return new Map(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    } finally {
      await admin.disconnect();
    }
  }

  it('creates history topics kept forever and latest-per-key topics compacted, both stamped with the append time', async () => {
    const prefix = `adm${randomBytes(4).toString('hex')}`;
    const history = { topic: `${prefix}.reports`, partitions: 1, config: retentionConfig('history') };
    const latest = { topic: `${prefix}.profiles`, partitions: 1, config: retentionConfig('latest-per-key') };
    created.push(history.topic, latest.topic);
    expect(await ensureTopics(kafkas[0], [history, latest])).toEqual([history.topic, latest.topic]);
    const h = await settingsOf(history.topic);
    expect([h.get('cleanup.policy'), h.get('retention.ms'), h.get('retention.bytes'), h.get('message.timestamp.type')]).toEqual(['delete', '-1', '-1', 'LogAppendTime']);
    const l = await settingsOf(latest.topic);
    expect([l.get('cleanup.policy'), l.get('message.timestamp.type')]).toEqual(['compact', 'LogAppendTime']);
  });

  it("gives an existing topic its retention at the next start, keeps an operator's own setting, and changes nothing once it matches", async () => {
    const prefix = `adm${randomBytes(4).toString('hex')}`;
    const topic = `${prefix}.older`;
    created.push(topic);
    // Created before retention was decided: the broker's 7 days, and a setting of the operator's own.
    await ensureTopics(kafkas[0], [{ topic, partitions: 1, config: { 'max.message.bytes': '2000000' } }]);
    expect((await settingsOf(topic)).get('retention.ms')).toBe(String(7 * 86_400_000));

    const reconfigured: [string, Record<string, string>][] = [];
    const spec = { topic, partitions: 1, config: retentionConfig('history') };
    expect(await ensureTopics(kafkas[1], [spec], { onReconfigured: (t, s) => reconfigured.push([t, s]) })).toEqual([]);
    // Only what differed is reported (the broker's retention.bytes is unlimited already).
    expect(reconfigured).toEqual([[topic, { 'retention.ms': '-1', 'message.timestamp.type': 'LogAppendTime' }]]);
    const after = await settingsOf(topic);
    expect([after.get('cleanup.policy'), after.get('retention.ms'), after.get('retention.bytes'), after.get('message.timestamp.type')]).toEqual(['delete', '-1', '-1', 'LogAppendTime']);
    expect(after.get('max.message.bytes')).toBe('2000000');

    await ensureTopics(kafkas[0], [spec], { onReconfigured: (t, s) => reconfigured.push([t, s]) });
    expect(reconfigured).toHaveLength(1);
  });
});
