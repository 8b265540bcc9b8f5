import { Inject, Injectable } from '@nestjs/common';
import { accidentReportedTopic, hazardReportedTopic } from '@roadloop/contracts';
import { GroupConsumer, KafkaConsumerFactory, Subscription, subscription } from '@roadloop/kafka';
import { RISK_CONFIG, RiskConfig } from '../config';
import { ReportIntakeService } from './report-intake.service';

/** Reports as received (keyed by report id): placed on a segment and re-published keyed by segment; hazard reports a run at a time. */
@Injectable()
export class ReportIntakeConsumer extends GroupConsumer {
  protected readonly group: string;

  constructor(
    consumers: KafkaConsumerFactory,
    private readonly intake: ReportIntakeService,
    @Inject(RISK_CONFIG) config: RiskConfig,
  ) {
    super(consumers);
    this.group = `${config.KAFKA_GROUP_ID}.intake`;
  }

  protected subscriptions(): Subscription[] {
    return [
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
    ];
  }
}
