import { Inject, Injectable } from '@nestjs/common';
import { reportMatchedTopic, taskChangedTopic } from '@roadloop/contracts';
import { GroupConsumer, KafkaConsumerFactory, Subscription, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RiskService } from './risk.service';

/** Everything that moves a segment's risk, keyed by segment: one writer per segment. */
@Injectable()
export class SegmentEventsConsumer extends GroupConsumer {
  protected readonly group: string;

  constructor(
    consumers: KafkaConsumerFactory,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) config: RiskConfig,
  ) {
    super(consumers);
    this.group = `${config.KAFKA_GROUP_ID}.segments`;
  }

  protected subscriptions(): Subscription[] {
    return [
      subscription(
        reportMatchedTopic,
        async (event) => {
          await this.risk.onReportMatched(event);
        },
        async (deliveries) => {
          await this.risk.onReportsMatched(deliveries.map((d) => d.value));
        },
      ),
      subscription(
        taskChangedTopic,
        async (event) => {
          await this.risk.onTaskChanged(event);
        },
        async (deliveries) => {
          await this.risk.onTasksChanged(deliveries.map((d) => d.value));
        },
      ),
    ];
  }
}
