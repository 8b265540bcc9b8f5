import { Inject, Injectable } from '@nestjs/common';
import { roadsideInventoryChangedTopic } from '@roadloop/contracts';
import { GroupConsumer, KafkaConsumerFactory, Subscription, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RiskService } from '../risk/risk.service';

/** Each segment's roadside inventory as the task service records it, keyed by segment: the segment re-scores. */
@Injectable()
export class RoadsideInventoryConsumer extends GroupConsumer {
  protected readonly group: string;

  constructor(
    consumers: KafkaConsumerFactory,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) config: RiskConfig,
  ) {
    super(consumers);
    this.group = `${config.KAFKA_GROUP_ID}.roadside`;
  }

  protected subscriptions(): Subscription[] {
    return [
      subscription(roadsideInventoryChangedTopic, async (event) => {
        await this.risk.onRoadsideInventoryChanged(event);
      }),
    ];
  }
}
