import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { accidentReportedTopic } from '@roadloop/contracts';
import { parseOrThrow } from '@roadloop/http';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { ReportPublisher } from '../reports/report-publisher';
import { assertReportTime } from '../reports/report-time';
import { accidentInputSchema } from './accident-input.schema';

@Injectable()
export class AccidentsService {
  constructor(
    private readonly publisher: ReportPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** `occurredAt` may go back ACCIDENT_MAX_AGE_DAYS (a county's crash history), never into the future. */
  async report(body: unknown, correlationId?: string) {
    const input = parseOrThrow(accidentInputSchema, body);
    assertReportTime('occurredAt', input.occurredAt, { maxAgeS: this.config.ACCIDENT_MAX_AGE_DAYS * 86_400, skewS: this.config.REPORT_CLOCK_SKEW_S });
    const accidentId = randomUUID();
    const eventId = randomUUID();
    const correlation = correlationId ?? eventId;
    await this.publisher.publish(accidentReportedTopic, { ...input, accidentId }, { eventId, correlationId: correlation });
    return { eventId, accidentId, correlationId: correlation };
  }
}
