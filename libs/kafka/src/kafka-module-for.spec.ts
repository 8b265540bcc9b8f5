import { describe, expect, it } from '@jest/globals';
import { kafkaEnv, loadConfig } from '@roadloop/config';
import { hazardReportedTopic, taskChangedTopic } from '@roadloop/contracts';
import { z } from 'zod';
import { KAFKA_OPTIONS } from './kafka.module';
import { kafkaModuleFor } from './kafka-module-for';

const optionsOf = (module: ReturnType<typeof kafkaModuleFor>) =>
  (module.providers ?? []).find((p) => typeof p === 'object' && 'provide' in p && p.provide === KAFKA_OPTIONS) as { useValue: unknown } | undefined;

describe(kafkaModuleFor.name, () => {
  it("passes every Kafka setting of a service's environment, the service's name as client id and source, and its topics", () => {
    const config = loadConfig(
      'test-service',
      z.object(kafkaEnv),
      {
        KAFKA_BROKERS: 'a:9092,b:9093',
        KAFKA_TOPIC_PREFIX: 'run-7',
        KAFKA_PARTITIONS: '6',
        KAFKA_CONSUMER_MAX_ATTEMPTS: '4',
        KAFKA_CREATE_TOPICS: 'false',
        KAFKA_SESSION_TIMEOUT_MS: '12000',
        KAFKA_CONNECT_RETRY_MAX_MS: '2500',
        KAFKA_CONSUMER_BATCH_SIZE: '200',
        KAFKA_PARTITIONS_CONCURRENTLY: '2',
      },
    );
    const module = kafkaModuleFor('test-service', config, [hazardReportedTopic, taskChangedTopic]);
    expect(optionsOf(module)?.useValue).toEqual({
      brokers: ['a:9092', 'b:9093'],
      clientId: 'test-service',
      source: 'test-service',
      topicPrefix: 'run-7',
      partitions: 6,
      maxAttempts: 4,
      createTopics: false,
      connectRetryMaxMs: 2500,
      sessionTimeoutMs: 12000,
      consumerBatchSize: 200,
      partitionsConcurrently: 2,
      topics: [hazardReportedTopic, taskChangedTopic],
    });
  });
});
