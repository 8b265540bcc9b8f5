import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { reportMatchedTopic, segmentProfileTopic, segmentRiskChangedTopic } from '@roadloop/contracts';
import { AppError, isRetriableKind } from '@roadloop/http';
import { InvalidEventError, KafkaConsumerFactory, NonRetriableError, subscription } from '@roadloop/kafka';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskIntakeService } from './task-intake.service';

/** Thin: decoded and validated by the consumer library, each message handled by one service call. */
@Injectable()
export class IntakeConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly intake: TaskIntakeService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.consumers.create(this.consumers.groupId(this.config.KAFKA_GROUP_ID), [
      subscription(segmentRiskChangedTopic, (event) => settle(this.intake.onRiskChanged(event))),
      subscription(reportMatchedTopic, (event) => settle(this.intake.onReportMatched(event))),
      subscription(segmentProfileTopic, (event) => settle(this.intake.onSegmentProfile(event))),
    ]);
    await consumer.start();
  }
}

/**
 * Domain errors that no retry can fix (invalid, conflict, …) and events the service would publish
 * invalid (a bug) are dead-lettered at once; anything else (database down, …) is retried.
 */
async function settle(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError && !isRetriableKind(err.kind)) throw new NonRetriableError(err.message, err.code);
    if (err instanceof InvalidEventError) throw new NonRetriableError(err.message, 'INVALID_OUTGOING_EVENT');
    throw err;
  }
}
