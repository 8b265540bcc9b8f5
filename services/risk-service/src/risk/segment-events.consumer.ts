import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { reportMatchedTopic, taskChangedTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RiskService } from './risk.service';

/** Everything that moves a segment's risk, keyed by segment: one writer per segment. */
@Injectable()
export class SegmentEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** Started in the background once the broker is reachable: start-up does not wait for it. */
  onApplicationBootstrap(): void {
    this.consumers.launch(this.consumers.groupId(`${this.config.KAFKA_GROUP_ID}.segments`), [
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
    ]);
  }
}
