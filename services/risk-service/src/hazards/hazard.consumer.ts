import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { hazardReportedTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RiskService } from '../risk/risk.service';

/** Thin: decoded and validated by the consumer library, handled by one service call. */
@Injectable()
export class HazardConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.consumers.create(this.consumers.groupId(this.config.KAFKA_GROUP_ID), [
      subscription(hazardReportedTopic, async (event) => {
        await this.risk.recordHazard(event);
      }),
    ]);
    await consumer.start();
  }
}
