import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { segmentRiskChangedTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskService } from './task.service';

@Injectable()
export class RiskChangedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly tasks: TaskService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.consumers.create(this.consumers.groupId(this.config.KAFKA_GROUP_ID), [
      subscription(segmentRiskChangedTopic, async (event) => {
        await this.tasks.onRiskChanged(event);
      }),
    ]);
    await consumer.start();
  }
}
