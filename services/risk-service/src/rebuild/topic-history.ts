import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { LoggedMessage } from './replay-order';

/** A partition's end when the reading started: offsets below it are read, later ones are not. */
export interface PartitionEnd {
  topic: string;
  partition: number;
  /** The first offset still retained (above 0 where a topic kept only a recent window before it kept its history). */
  low: string;
  /** The high watermark: the offset after the last message. */
  high: string;
}

/** What was read: each partition's messages in offset order, and the ends they were read up to. */
export interface TopicHistory {
  partitions: LoggedMessage[][];
  ends: PartitionEnd[];
}

/**
 * Reads topics from their first retained offset up to the high watermarks they had when the reading
 * started — a fixed history, not a subscription that never ends. A consumer group of its own is
 * needed by kafkajs to fetch; it never commits an offset, so it leaves nothing behind for the live
 * consumer groups and disappears once empty.
 */
export async function readTopicHistory(kafka: Kafka, topics: readonly string[], { groupPrefix, timeoutMs = 600_000 }: { groupPrefix: string; timeoutMs?: number }): Promise<TopicHistory> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: PartitionEnd[] = [];
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: p.partition, low: p.low, high: p.high });
    }
  } finally {
    await admin.disconnect();
  }
  const byPartition = new Map(ends.map((e) => [`${e.topic}:${e.partition}`, [] as LoggedMessage[]]));
  const pending = new Set(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => `${e.topic}:${e.partition}`));
  const endOf = new Map(ends.map((e) => [`${e.topic}:${e.partition}`, BigInt(e.high)]));
  if (pending.size === 0) return { partitions: [...byPartition.values()], ends };

  const consumer = kafka.consumer({ groupId: `${groupPrefix}.${randomBytes(6).toString('hex')}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        const id = `${batch.topic}:${batch.partition}`;
        const end = endOf.get(id) ?? 0n;
        const messages = byPartition.get(id)!;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          messages.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, timestampMs: Number(m.timestamp), key: m.key, value: m.value });
          resolveOffset(m.offset);
        }
        await heartbeat();
        // The last offset below the end may be gone (compacted, a transaction marker): the batch's last offset counts.
        if (BigInt(batch.lastOffset()) >= end - 1n) pending.delete(id);
        if (pending.size === 0) finish();
      },
    });
    const timer = setTimeout(() => fail(new Error(`history not read within ${timeoutMs} ms; still reading ${[...pending].join(', ')}`)), timeoutMs);
    try {
      await done;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return { partitions: [...byPartition.values()], ends };
}
