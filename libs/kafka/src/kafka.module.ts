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
import { ObservabilityRegistry } from '@roadloop/core';
import { Kafka } from 'kafkajs';
import { TopicContract, deadLetterTopic, topicName } from '@roadloop/contracts';
import { ConsumerMetrics } from './consumer-metrics';
import { EventPublisher } from './event-publisher';
import { KafkaOptions, createKafka } from './kafka.options';
import { TopicCreationError, ensureTopics, retentionConfig } from './topic-admin';
import { Subscription, TopicConsumer } from './topic-consumer';

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_TOPICS = Symbol('KAFKA_TOPICS');

export interface KafkaModuleOptions extends KafkaOptions {
  /** Topics this process produces or consumes; created at start-up when `createTopics` is on. */
  topics: Pick<TopicContract, 'topic' | 'defaultPartitions' | 'retention'>[];
}

/** Where a process stands with its broker: connecting (with the last failure) or ready. */
export interface KafkaConnectionStatus {
  ready: boolean;
  attempts: number;
  lastError?: string;
}

/**
 * The process's connection to the broker, made in the background so that the service starts and
 * answers /health/ready (503 while connecting) instead of exiting when the broker is not up yet:
 * creates the topics it needs (tolerating the other services creating them at the same moment),
 * connects the publisher, and retries both with backoff until they succeed or the process stops.
 */
@Injectable()
export class KafkaConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');
  private readonly state: KafkaConnectionStatus = { ready: false, attempts: 0 };
  private readonly readySignal: Promise<void>;
  private markReady!: () => void;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly publisher: EventPublisher,
    @Optional() observability?: ObservabilityRegistry,
  ) {
    this.readySignal = new Promise((resolve) => (this.markReady = resolve));
    observability?.addIndicator({
      name: 'kafka',
      check: async () => {
        if (!this.state.ready) {
          throw new Error(`connecting to the broker at ${this.options.brokers.join(',')} (attempt ${this.state.attempts}${this.state.lastError ? `; last error: ${this.state.lastError}` : ''})`);
        }
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

  get status(): KafkaConnectionStatus {
    return { ...this.state };
  }

  /** Resolves once the topics exist and the publisher is connected; never rejects. */
  whenReady(): Promise<void> {
    return this.readySignal;
  }

  /** Not awaited: the HTTP server must come up (and say "not ready") while the broker is away. */
  onModuleInit(): void {
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.publisher.disconnect();
  }

  private async connect(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      this.state.attempts++;
      try {
        if (this.options.createTopics) {
          const created = await ensureTopics(this.kafka, topicSpecs(this.options), {
            onRetry: (reason) => this.logger.warn(`topics not ready yet: ${reason}`),
            onReconfigured: (topic, settings) =>
              this.logger.log(`topic ${topic}: set ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(', ')}`),
          });
          if (created.length) this.logger.log(`created topics: ${created.join(', ')}`);
        }
        await this.publisher.connect();
        this.state.ready = true;
        this.state.lastError = undefined;
        if (this.state.attempts > 1) this.logger.log(`connected to the broker after ${this.state.attempts} attempts`);
        this.markReady();
        return;
      } catch (err) {
        this.state.lastError = (err as Error).message;
        if (err instanceof TopicCreationError) {
          // The broker refuses these topics: no retry will change that, and the service cannot work.
          this.logger.error(`cannot create the topics this service needs: ${this.state.lastError}`);
        } else {
          this.logger.warn(`broker not reachable (attempt ${this.state.attempts}): ${this.state.lastError}`);
        }
        await this.pause(backoffMs(this.state.attempts, this.options.connectRetryMaxMs ?? 10_000));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Exponential backoff from 500 ms, capped; with jitter, so restarted services do not retry in step. */
function backoffMs(attempt: number, maxMs: number): number {
  const base = Math.min(500 * 2 ** (attempt - 1), maxMs);
  return base / 2 + Math.random() * (base / 2);
}

function topicSpecs(options: KafkaModuleOptions) {
  return [...options.topics, deadLetterTopic].map((t) => ({
    topic: topicName(t, options.topicPrefix),
    partitions: t === deadLetterTopic ? t.defaultPartitions : options.partitions,
    config: retentionConfig(t.retention),
  }));
}

/**
 * Creates the consumers of a service, starts them once the broker connection is ready (and again
 * after a crash kafkajs does not recover from), and stops them all when the application shuts down.
 */
@Injectable()
export class KafkaConsumerFactory implements OnApplicationShutdown {
  private readonly consumers: TopicConsumer[] = [];
  private readonly failures = new Map<TopicConsumer, string>();
  private readonly logger = new Logger('KafkaConsumer');
  private readonly metrics?: ConsumerMetrics;
  private stopping = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
    private readonly publisher: EventPublisher,
    @Inject(KafkaConnection) private readonly connection: Pick<KafkaConnection, 'whenReady'>,
    @Optional() observability?: ObservabilityRegistry,
  ) {
    this.metrics = observability && new ConsumerMetrics(observability.metrics);
    observability?.addIndicator({
      name: 'kafka-consumers',
      check: async () => {
        const down = this.consumers.filter((c) => !c.isRunning);
        if (down.length) {
          throw new Error(down.map((c) => `${c.groupId} not consuming${this.failures.has(c) ? `: ${this.failures.get(c)}` : ''}`).join('; '));
        }
      },
    });
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
        maxBatchSize: this.options.consumerBatchSize,
        partitionsConcurrently: this.options.partitionsConcurrently,
        onCrash: (error) => this.restartLater(consumer, error),
        metrics: this.metrics,
      },
      this.logger,
    );
    this.consumers.push(consumer);
    return consumer;
  }

  /**
   * Creates a consumer and starts it in the background once the broker is reachable, retrying with
   * backoff: a service's start-up never waits for (or dies of) the broker.
   */
  launch(groupId: string, subscriptions: Subscription[]): TopicConsumer {
    const consumer = this.create(groupId, subscriptions);
    void this.startWhenReady(consumer);
    return consumer;
  }

  /** Group ids are prefixed like topics, so isolated deployments never share offsets. */
  groupId(name: string): string {
    return topicName({ topic: name }, this.options.topicPrefix);
  }

  get all(): readonly TopicConsumer[] {
    return this.consumers;
  }

  /** Whether every consumer created here is connected and consuming. */
  get allRunning(): boolean {
    return this.consumers.every((c) => c.isRunning);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  private async startWhenReady(consumer: TopicConsumer): Promise<void> {
    await this.connection.whenReady();
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await consumer.start();
        this.failures.delete(consumer);
        return;
      } catch (err) {
        this.failures.set(consumer, (err as Error).message);
        this.logger.warn(`consumer ${consumer.groupId} could not start (attempt ${attempt}): ${(err as Error).message}`);
        await consumer.stop().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, this.options.connectRetryMaxMs ?? 10_000)));
      }
    }
  }

  private restartLater(consumer: TopicConsumer, error: Error): void {
    this.failures.set(consumer, error.message);
    if (this.stopping) return;
    void consumer
      .stop()
      .catch(() => undefined)
      .then(() => this.startWhenReady(consumer));
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
        KafkaConnection,
        KafkaConsumerFactory,
      ],
      exports: [KAFKA_OPTIONS, KAFKA_CLIENT, EventPublisher, KafkaConnection, KafkaConsumerFactory],
    };
  }
}
