/** One message of a topic's history, as read from the broker. */
export interface LoggedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** The broker's append time (or the producer's time on a topic created without it), ms since the epoch. */
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Merges the partitions of several topics into one sequence: by timestamp, then by the topic's place
 * in `topicOrder`, then by partition number. Each partition's own order (its offsets) is kept even
 * where its timestamps go backwards (a producer's clock on a topic without append time), since a key's
 * events must stay in the order they were logged.
 */
export function mergeInLogOrder(partitions: readonly (readonly LoggedMessage[])[], topicOrder: readonly string[]): LoggedMessage[] {
  const rank = new Map(topicOrder.map((t, i) => [t, i]));
  const rankOf = (m: LoggedMessage) => rank.get(m.topic) ?? topicOrder.length;
  const heads = partitions.map(() => 0);
  const total = partitions.reduce((n, p) => n + p.length, 0);
  const merged: LoggedMessage[] = [];
  while (merged.length < total) {
    let best = -1;
    for (let i = 0; i < partitions.length; i++) {
      const m = partitions[i][heads[i]];
      if (!m) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const b = partitions[best][heads[best]];
      if (m.timestampMs !== b.timestampMs ? m.timestampMs < b.timestampMs : rankOf(m) !== rankOf(b) ? rankOf(m) < rankOf(b) : m.partition < b.partition) best = i;
    }
    merged.push(partitions[best][heads[best]++]);
  }
  return merged;
}
