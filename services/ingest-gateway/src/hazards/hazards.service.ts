import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '@roadloop/auth';
import { hazardReportedTopic } from '@roadloop/contracts';
import { parseOrThrow } from '@roadloop/http';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { ReportPublisher } from '../reports/report-publisher';
import { assertReportTime } from '../reports/report-time';
import { hazardInputSchema } from './hazard-input.schema';

export interface Accepted {
  eventId: string;
  hazardId: string;
  correlationId: string;
}

@Injectable()
export class HazardsService {
  constructor(
    private readonly publisher: ReportPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * Validates a report and publishes it; resolves once the broker has it (acks from all replicas).
   * `reportedAt` may go back HAZARD_ANONYMOUS_MAX_AGE_H for anyone, HAZARD_MAX_AGE_DAYS for a signed-in user.
   */
  async report(body: unknown, correlationId?: string, reporter?: Principal): Promise<Accepted> {
    const input = parseOrThrow(hazardInputSchema, body);
    if (input.reportedAt !== undefined) {
      const maxAgeS = reporter ? this.config.HAZARD_MAX_AGE_DAYS * 86_400 : this.config.HAZARD_ANONYMOUS_MAX_AGE_H * 3_600;
      assertReportTime('reportedAt', input.reportedAt, { maxAgeS, skewS: this.config.REPORT_CLOCK_SKEW_S });
    }
    const hazardId = randomUUID();
    const eventId = randomUUID();
    const correlation = correlationId ?? eventId;
    await this.publisher.publish(
      hazardReportedTopic,
      { ...input, hazardId, reportedAt: input.reportedAt ?? new Date().toISOString() },
      { eventId, correlationId: correlation },
    );
    return { eventId, hazardId, correlationId: correlation };
  }
}
