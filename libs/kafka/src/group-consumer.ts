import { OnApplicationBootstrap } from '@nestjs/common';
import { KafkaConsumerFactory } from './kafka.module';
import { Subscription } from './topic-consumer';

/**
 * A service's consumer group: what it reads and how (`subscriptions`), launched when the application
 * has bootstrapped and started in the background once the broker is reachable, so start-up never
 * waits for the broker. A subclass names its group and binds its topics to its service's methods.
 */
export abstract class GroupConsumer implements OnApplicationBootstrap {
  constructor(private readonly consumers: KafkaConsumerFactory) {}

  /** The group's name without the deployment's topic prefix (e.g. `risk-service.intake`). */
  protected abstract readonly group: string;

  protected abstract subscriptions(): Subscription[];

  onApplicationBootstrap(): void {
    this.consumers.launch(this.consumers.groupId(this.group), this.subscriptions());
  }
}
