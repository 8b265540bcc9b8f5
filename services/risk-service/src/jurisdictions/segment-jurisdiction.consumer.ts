import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { segmentJurisdictionTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

/** Segment → jurisdiction assignments from the task service, keyed by segment. */
@Injectable()
export class SegmentJurisdictionConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly jurisdictions: SegmentJurisdictionService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** Started in the background once the broker is reachable: start-up does not wait for it. */
  onApplicationBootstrap(): void {
    this.consumers.launch(this.consumers.groupId(`${this.config.KAFKA_GROUP_ID}.jurisdictions`), [
      subscription(segmentJurisdictionTopic, async (event) => {
        await this.jurisdictions.onAssigned(event.payload);
      }),
    ]);
  }
}
