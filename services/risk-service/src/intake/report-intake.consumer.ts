import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { accidentReportedTopic, hazardReportedTopic } from '@roadloop/contracts';
import { KafkaConsumerFactory, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { ReportIntakeService } from './report-intake.service';

/** Reports as received (keyed by report id): placed on a segment and re-published keyed by segment; hazard reports a run at a time. */
@Injectable()
export class ReportIntakeConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly intake: ReportIntakeService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** Started in the background once the broker is reachable: start-up does not wait for it. */
  onApplicationBootstrap(): void {
    this.consumers.launch(this.consumers.groupId(`${this.config.KAFKA_GROUP_ID}.intake`), [
      subscription(
        hazardReportedTopic,
        async (event) => {
          await this.intake.intakeHazard(event);
        },
        async (deliveries) => {
          const { left } = await this.intake.intakeHazards(deliveries.map((d) => d.value));
          return left.map((i) => deliveries[i]);
        },
      ),
      subscription(accidentReportedTopic, async (event) => {
        await this.intake.intakeAccident(event);
      }),
    ]);
  }
}
