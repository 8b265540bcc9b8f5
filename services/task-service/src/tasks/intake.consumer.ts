import { Inject, Injectable } from '@nestjs/common';
import { reportMatchedTopic, segmentProfileTopic, segmentRiskChangedV2Topic } from '@roadloop/contracts';
import { GroupConsumer, KafkaConsumerFactory, Subscription, subscription } from '@roadloop/kafka';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskIntakeService } from './task-intake.service';

/**
 * Thin: decoded and validated by the consumer library, each message (or run of a partition's
 * messages) handled by one service call;
 * whether a failure is retried or dead-lettered is the library's one policy (`judgeFailure`).
 */
@Injectable()
export class IntakeConsumer extends GroupConsumer {
  protected readonly group: string;

  constructor(
    consumers: KafkaConsumerFactory,
    private readonly intake: TaskIntakeService,
    @Inject(TASK_CONFIG) config: TaskConfig,
  ) {
    super(consumers);
    this.group = config.KAFKA_GROUP_ID;
  }

  protected subscriptions(): Subscription[] {
    return [
      subscription(
        segmentRiskChangedV2Topic,
        async (event) => {
          await this.intake.onRiskChanged(event);
        },
        async (deliveries) => {
          await this.intake.onRisksChanged(deliveries.map((d) => d.value));
        },
      ),
      subscription(
        reportMatchedTopic,
        async (event) => {
          await this.intake.onReportMatched(event);
        },
        async (deliveries) => {
          await this.intake.onReportsMatched(deliveries.map((d) => d.value));
        },
      ),
      subscription(
        segmentProfileTopic,
        async (event) => {
          await this.intake.onSegmentProfile(event);
        },
        async (deliveries) => {
          await this.intake.onSegmentProfiles(deliveries.map((d) => d.value));
        },
      ),
    ];
  }
}
