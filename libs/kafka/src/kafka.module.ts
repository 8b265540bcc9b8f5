import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { MetricFamily, ObservabilityRegistry } from '@roadloop/http';
import { Kafka } from 'kafkajs';
import { TopicContract, deadLetterTopic, topicName } from '@roadloop/contracts';
import { EventPublisher } from './event-publisher';
import { KafkaOptions, createKafka } from './kafka.options';
import { ensureTopics } from './topic-admin';
import { Subscription, TopicConsumer } from './topic-consumer';

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_TOPICS = Symbol('KAFKA_TOPICS');

export interface KafkaModuleOptions extends KafkaOptions {
  /** Topics this process produces or consumes; created at start-up when `createTopics` is on. */
  topics: Pick<TopicContract, 'topic' | 'defaultPartitions'>[];
}

/** Creates the consumers of a service and stops them all when the application shuts down. */
@Injectable()
export class KafkaConsumerFactory implements OnApplicationShutdown {
  private readonly consumers: TopicConsumer[] = [];
  private readonly logger = new Logger('KafkaConsumer');

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
    private readonly publisher: EventPublisher,
    @Optional() observability?: ObservabilityRegistry,
  ) {
    observability?.addCollector(() => consumerMetrics(this.consumers));
  }

  create(groupId: string, subscriptions: Subscription[]): TopicConsumer {
    const consumer = new TopicConsumer(
      this.kafka,
      this.publisher,
      {
        groupId,
        subscriptions,
        topicPrefix: this.options.topicPrefix,
        maxAttempts: this.options.maxAttempts,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
      },
      this.logger,
    );
    this.consumers.push(consumer);
    return consumer;
  }

  /** Group ids are prefixed like topics, so isolated deployments never share offsets. */
  groupId(name: string): string {
    return topicName({ topic: name }, this.options.topicPrefix);
  }

  get all(): readonly TopicConsumer[] {
    return this.consumers;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}

/** Consumed, dead-lettered, lag and processing time of every consumer, for /metrics. */
export function consumerMetrics(consumers: readonly TopicConsumer[]): MetricFamily[] {
  const consumed: MetricFamily = { name: 'roadloop_events_consumed_total', help: 'Messages handled, per topic', type: 'counter', samples: [] };
  const dead: MetricFamily = { name: 'roadloop_events_dead_lettered_total', help: 'Messages sent to the dead-letter topic, per source topic', type: 'counter', samples: [] };
  const lag: MetricFamily = { name: 'roadloop_consumer_lag_messages', help: 'Messages behind the high watermark, per partition', type: 'gauge', samples: [] };
  const seconds: MetricFamily = { name: 'roadloop_event_processing_seconds_total', help: 'Time spent handling messages', type: 'counter', samples: [] };
  const last: MetricFamily = { name: 'roadloop_event_processing_last_seconds', help: 'Time the last message took', type: 'gauge', samples: [] };
  for (const c of consumers) {
    const group = c.groupId;
    for (const [topic, n] of c.stats.consumed) consumed.samples.push({ labels: { group, topic }, value: n });
    for (const [topic, n] of c.stats.deadLettered) dead.samples.push({ labels: { group, topic }, value: n });
    for (const [key, n] of c.stats.lag) {
      const at = key.lastIndexOf(':');
      lag.samples.push({ labels: { group, topic: key.slice(0, at), partition: key.slice(at + 1) }, value: n });
    }
    seconds.samples.push({ labels: { group }, value: c.stats.processingMsTotal / 1000 });
    last.samples.push({ labels: { group }, value: c.stats.lastProcessingMs / 1000 });
  }
  return [consumed, dead, lag, seconds, last];
}

@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly publisher: EventPublisher,
    @Optional() observability?: ObservabilityRegistry,
  ) {
    observability?.addIndicator({
      name: 'kafka',
      check: async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          await admin.describeCluster();
        } finally {
          await admin.disconnect();
        }
      },
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.options.createTopics) {
      const specs = [...this.options.topics, deadLetterTopic].map((t) => ({
        topic: topicName(t, this.options.topicPrefix),
        partitions: t === deadLetterTopic ? t.defaultPartitions : this.options.partitions,
      }));
      const created = await ensureTopics(this.kafka, specs);
      if (created.length) this.logger.log(`created topics: ${created.join(', ')}`);
    }
    await this.publisher.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(options, new Logger('kafkajs')) },
        {
          provide: EventPublisher,
          useFactory: (kafka: Kafka) => new EventPublisher(kafka, options.topicPrefix, options.source),
          inject: [KAFKA_CLIENT],
        },
        KafkaConsumerFactory,
        KafkaLifecycle,
      ],
      exports: [KAFKA_OPTIONS, KAFKA_CLIENT, EventPublisher, KafkaConsumerFactory],
    };
  }
}
