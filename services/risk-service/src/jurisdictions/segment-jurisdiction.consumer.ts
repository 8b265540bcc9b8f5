import { Inject, Injectable } from '@nestjs/common';
import { segmentJurisdictionTopic } from '@roadloop/contracts';
import { GroupConsumer, KafkaConsumerFactory, Subscription, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

/** Segment → jurisdiction assignments from the task service, keyed by segment. */
@Injectable()
export class SegmentJurisdictionConsumer extends GroupConsumer {
  protected readonly group: string;

  constructor(
    consumers: KafkaConsumerFactory,
    private readonly jurisdictions: SegmentJurisdictionService,
    @Inject(RISK_CONFIG) config: RiskConfig,
  ) {
    super(consumers);
    this.group = `${config.KAFKA_GROUP_ID}.jurisdictions`;
  }

  protected subscriptions(): Subscription[] {
    return [
      subscription(segmentJurisdictionTopic, async (event) => {
        await this.jurisdictions.onAssigned(event.payload);
      }),
    ];
  }
}
