import { describe, expect, it } from '@jest/globals';
import { LoggedMessage, mergeInLogOrder } from './replay-order';

const at = (topic: string, partition: number, offset: number, timestampMs: number): LoggedMessage => ({
  topic, partition, offset: String(offset), timestampMs, key: null, value: null,
});
const ids = (ms: LoggedMessage[]) => ms.map((m) => `${m.topic}/${m.partition}@${m.offset}`);

describe(mergeInLogOrder.name, () => {
  it('orders messages of several topics and partitions by their logged time', () => {
    const hazards = [at('hazards', 0, 0, 10), at('hazards', 0, 1, 30)];
    const tasks = [at('tasks', 0, 0, 20), at('tasks', 0, 1, 40)];
    const other = [at('hazards', 1, 0, 5)];
    expect(ids(mergeInLogOrder([hazards, tasks, other], ['hazards', 'tasks']))).toEqual([
      'hazards/1@0', 'hazards/0@0', 'tasks/0@0', 'hazards/0@1', 'tasks/0@1',
    ]);
  });

  it('takes messages of the same millisecond by the topic order, then the partition', () => {
    const tasks = [at('tasks', 0, 0, 10)];
    const hazards1 = [at('hazards', 1, 0, 10)];
    const hazards0 = [at('hazards', 0, 0, 10)];
    expect(ids(mergeInLogOrder([tasks, hazards1, hazards0], ['hazards', 'tasks']))).toEqual(['hazards/0@0', 'hazards/1@0', 'tasks/0@0']);
  });

  it("keeps a partition's offset order where its timestamps go backwards", () => {
    const skewed = [at('tasks', 0, 0, 50), at('tasks', 0, 1, 10)];
    const hazards = [at('hazards', 0, 0, 20)];
    expect(ids(mergeInLogOrder([skewed, hazards], ['hazards', 'tasks']))).toEqual(['hazards/0@0', 'tasks/0@0', 'tasks/0@1']);
  });

  it('returns every message once', () => {
    const parts = [0, 1, 2].map((p) => Array.from({ length: 50 }, (_, i) => at('t', p, i, (i * 7 + p * 13) % 40 + i)));
    const merged = mergeInLogOrder(parts, ['t']);
    expect(merged).toHaveLength(150);
    expect(new Set(ids(merged)).size).toBe(150);
  });
});
