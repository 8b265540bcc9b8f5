import { DynamicModule } from '@nestjs/common';
import type { KafkaEnv } from '@roadloop/config';
import { KafkaModule, KafkaModuleOptions } from './kafka.module';

/**
 * A service's broker connection from its validated settings (`kafkaEnv`): the service's name is its
 * client id and the `source` of the events it publishes; `topics` are those it produces or consumes.
 */
export function kafkaModuleFor(
  service: string,
  config: KafkaEnv,
  topics: KafkaModuleOptions['topics'],
  overrides: Pick<KafkaModuleOptions, 'retry'> = {},
): DynamicModule {
  return KafkaModule.forRoot({
    brokers: config.KAFKA_BROKERS,
    clientId: service,
    source: service,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_PARTITIONS,
    maxAttempts: config.KAFKA_CONSUMER_MAX_ATTEMPTS,
    createTopics: config.KAFKA_CREATE_TOPICS,
    connectRetryMaxMs: config.KAFKA_CONNECT_RETRY_MAX_MS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    consumerBatchSize: config.KAFKA_CONSUMER_BATCH_SIZE,
    partitionsConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    topics,
    ...overrides,
  });
}
