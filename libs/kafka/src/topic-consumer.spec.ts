import { describe, expect, it } from '@jest/globals';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { hazardReportedTopic } from '@roadloop/contracts';
import type { EventPublisher } from './event-publisher';
import { Delivery, TopicConsumer, subscription } from './topic-consumer';

/** A client whose consumer hands this test the `eachBatch` it is run with, and talks to no broker. */
function stubKafka() {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const kafka = {
    consumer: () => ({
      events: { CRASH: 'consumer.crash' },
      on: () => undefined,
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
        eachBatch = config.eachBatch;
      },
      disconnect: async () => undefined,
    }),
  } as unknown as Kafka;
  return { kafka, eachBatch: () => eachBatch! };
}

function report(n: number): KafkaMessage {
  const hazardId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const value = {
    eventId: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    occurredAt: '2026-11-20T08:14:31Z',
    schemaVersion: 1,
    source: 'test',
    correlationId: `c-${n}`,
    payload: { hazardId, category: 'rockfall', severity: 'high', lon: 1.52, lat: 42.5, reportedAt: '2026-11-20T08:14:31Z' },
  };
  return { key: Buffer.from(hazardId), value: Buffer.from(JSON.stringify(value)), offset: String(n), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
}

describe(TopicConsumer.name, () => {
  it('gives up a failed run handled one message at a time once its partition is taken, resolving none of it', async () => {
    const { kafka, eachBatch } = stubKafka();
    let stale = false;
    const handled: string[] = [];
    const consumer = new TopicConsumer(
      kafka,
      {} as EventPublisher,
      {
        groupId: 'g',
        topicPrefix: '',
        maxAttempts: 1,
        maxBatchSize: 10,
        subscriptions: [
          subscription(
            hazardReportedTopic,
            async (value) => {
              handled.push(value.payload.hazardId);
              // A rebalance while the first message is handled alone: the partition is another consumer's now.
              stale = true;
            },
            async (_deliveries: readonly Delivery[]) => {
              throw new Error('the run failed');
            },
          ),
        ],
      },
      { log: () => undefined, warn: () => undefined, error: () => undefined },
    );
    await consumer.start();
    const resolved: string[] = [];
    const messages = [1, 2, 3, 4].map(report);
    await eachBatch()({
      batch: { topic: hazardReportedTopic.topic, partition: 0, highWatermark: '5', messages },
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      isRunning: () => true,
      isStale: () => stale,
    } as unknown as EachBatchPayload);
    expect(handled).toEqual([JSON.parse(messages[0].value!.toString()).payload.hazardId]);
    expect(resolved).toEqual([]);
  });
});
