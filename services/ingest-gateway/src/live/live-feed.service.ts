import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { decodeMessage, segmentRiskChangedV2Topic, taskChangedTopic, topicName } from '@roadloop/contracts';
import { ObservabilityRegistry } from '@roadloop/core';
import { KAFKA_CLIENT } from '@roadloop/kafka';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { LiveEvent, riskEvent, taskEvent } from './live-events';
import { LiveHub } from './live-hub';

/** Wait before trying again when the broker could not be reached at start-up, ms. */
const RESTART_DELAY_MS = 5_000;

/**
 * Feeds the live stream from the risk and task topics. Each gateway process reads every event, so
 * it uses a consumer group of its own (`<prefix>.ingest-gateway-live-<random>`) starting at the
 * latest offset: past events are not replayed (clients load the current state over HTTP), and
 * nothing is committed, so a group left behind by a killed process holds no offsets and blocks
 * nothing; a clean shutdown deletes it. Messages this feed cannot read are skipped, not
 * dead-lettered: the services that own the topics dead-letter them already.
 */
@Injectable()
export class LiveFeedService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly hub: LiveHub;
  readonly groupId: string;
  private readonly logger = new Logger(LiveFeedService.name);
  private readonly topics: { risk: string; task: string };
  private consumer: Consumer | undefined;
  private restart: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    observability: ObservabilityRegistry,
  ) {
    this.hub = new LiveHub({
      maxClients: config.LIVE_MAX_CLIENTS,
      maxPerSubject: config.LIVE_MAX_STREAMS_PER_USER,
      maxBufferedBytes: config.LIVE_CLIENT_BUFFER_BYTES,
      heartbeatMs: config.LIVE_HEARTBEAT_MS,
    });
    this.groupId = topicName({ topic: `ingest-gateway-live-${randomBytes(6).toString('hex')}` }, config.KAFKA_TOPIC_PREFIX);
    this.topics = {
      risk: topicName(segmentRiskChangedV2Topic, config.KAFKA_TOPIC_PREFIX),
      task: topicName(taskChangedTopic, config.KAFKA_TOPIC_PREFIX),
    };
    observability.addCollector(() => {
      const { clients, eventsSent, dropped } = this.hub.stats;
      return [
        { name: 'roadloop_live_clients', help: 'Clients connected to GET /v1/live', type: 'gauge', samples: [{ value: clients }] },
        { name: 'roadloop_live_events_sent_total', help: 'Live events written to clients', type: 'counter', samples: [{ value: eventsSent }] },
        { name: 'roadloop_live_clients_dropped_total', help: 'Live clients disconnected for falling behind', type: 'counter', samples: [{ value: dropped }] },
      ];
    });
  }

  /** Started after the application is up (topics exist by then) and not awaited: joining the group must not delay start-up. */
  onApplicationBootstrap(): void {
    void this.start();
  }

  /** Streams end before the HTTP server closes, or it would wait for them forever. */
  onModuleDestroy(): void {
    this.hub.closeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    this.hub.setLive(false);
    if (!this.consumer) return;
    await this.consumer.disconnect().catch((err: Error) => this.logger.warn(`live feed: disconnect: ${err.message}`));
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (err) {
      // An empty group without offsets is removed by the broker later anyway.
      this.logger.warn(`live feed: could not delete consumer group ${this.groupId}: ${(err as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 1_000 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => this.hub.setLive(true));
    consumer.on(consumer.events.CRASH, (e) => {
      this.hub.setLive(false);
      this.logger.error(`live feed consumer crashed: ${e.payload.error.message} (restart: ${e.payload.restart})`);
      // kafkajs restarts the consumer after a retriable crash; after any other, start a new one.
      if (!e.payload.restart) void consumer.disconnect().finally(() => this.scheduleStart());
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topics.risk, this.topics.task], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, message }) => {
          const event = this.decode(topic, message.value);
          if (event) this.hub.publish(event);
        },
      });
    } catch (err) {
      this.hub.setLive(false);
      await consumer.disconnect().catch(() => undefined);
      this.logger.error(`live feed could not start: ${(err as Error).message}`);
      this.scheduleStart();
    }
  }

  private scheduleStart(): void {
    if (this.stopping) return;
    this.logger.warn(`live feed: starting again in ${RESTART_DELAY_MS} ms`);
    clearTimeout(this.restart);
    this.restart = setTimeout(() => void this.start(), RESTART_DELAY_MS).unref();
  }

  private decode(topic: string, value: Buffer | null): LiveEvent | undefined {
    if (topic === this.topics.risk) {
      const decoded = decodeMessage(segmentRiskChangedV2Topic, value);
      if (decoded.ok) return riskEvent(decoded.value.payload);
      this.logger.debug(`live feed: skipping an unreadable ${topic} message: ${decoded.reason}`);
    } else if (topic === this.topics.task) {
      const decoded = decodeMessage(taskChangedTopic, value);
      if (decoded.ok) return taskEvent(decoded.value.payload);
      this.logger.debug(`live feed: skipping an unreadable ${topic} message: ${decoded.reason}`);
    }
    return undefined;
  }
}
