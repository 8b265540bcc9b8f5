import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventPublisher } from '@roadloop/kafka';
import { TransactionRunner } from '@roadloop/persistence';
import { TASK_CONFIG, TaskConfig } from '../config';
import { OutboxNudge } from './outbox-nudge';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/** Runs the outbox relay for the life of the application. */
@Injectable()
export class OutboxRelayService extends OutboxNudge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(tx: TransactionRunner, outbox: OutboxRepository, publisher: EventPublisher, @Inject(TASK_CONFIG) config: TaskConfig) {
    super();
    this.relay = new OutboxRelay(
      tx,
      outbox,
      { send: (topic, messages) => publisher.send(topic, messages) },
      { pollMs: config.OUTBOX_POLL_MS, batchSize: config.OUTBOX_BATCH_SIZE },
      new Logger('OutboxRelay'),
    );
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  nudge(): void {
    this.relay.nudge();
  }

  // Before any onApplicationShutdown hook, so the round in flight ends before the producer disconnects.
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
