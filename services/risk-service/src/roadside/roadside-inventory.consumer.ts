import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { roadsideInventoryChangedTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RiskService } from '../risk/risk.service';

/** Each segment's roadside inventory as the task service records it, keyed by segment: the segment re-scores. */
@Injectable()
export class RoadsideInventoryConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** Started in the background once the broker is reachable: start-up does not wait for it. */
  onApplicationBootstrap(): void {
    this.consumers.launch(this.consumers.groupId(`${this.config.KAFKA_GROUP_ID}.roadside`), [
      subscription(roadsideInventoryChangedTopic, async (event) => {
        await this.risk.onRoadsideInventoryChanged(event);
      }),
    ]);
  }
}
