import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
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
  ) {}

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

@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly publisher: EventPublisher,
  ) {}

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
