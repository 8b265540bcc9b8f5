import { Injectable, Logger } from '@nestjs/common';
import {
  AccidentReportedEvent,
  HazardReportedEvent,
  ReportMatched,
  reportMatchedTopic,
} from '@roadloop/contracts';
import { EventPublisher } from '@roadloop/kafka';
import { AccidentRepository } from '../accidents/accident.repository';
import { HazardRepository } from '../hazards/hazard.repository';
import { Placement, SegmentMatcherHolder } from '../segments/segment-matcher.holder';

export type IntakeOutcome = { segmentId: string | null; duplicateDelivery: boolean; published: boolean };

/**
 * First stop of every report: place it on its nearest road segment, record it (matched or not —
 * unmatched reports are kept and listed, never dropped), and re-publish it keyed by segment so that
 * one consumer instance owns each segment's state.
 */
@Injectable()
export class ReportIntakeService {
  private readonly logger = new Logger(ReportIntakeService.name);

  constructor(
    private readonly matcher: SegmentMatcherHolder,
    private readonly hazards: HazardRepository,
    private readonly accidents: AccidentRepository,
    private readonly publisher: EventPublisher,
  ) {}

  async intakeHazard(event: HazardReportedEvent): Promise<IntakeOutcome> {
    const report = event.payload;
    const existing = await this.hazards.find(report.hazardId);
    let placement = existing ? placementOf(existing) : null;
    if (!existing) {
      placement = await this.matcher.place(report.lon, report.lat);
      await this.hazards.insertIfNew(report, this.placementRow(event, placement));
      if (!placement) this.logger.log(`hazard ${report.hazardId} is on no known road; kept unmatched`);
    }
    if (!placement) return { segmentId: null, duplicateDelivery: existing !== null, published: false };
    // Published again on a redelivery too: a crash after the insert must not lose the event.
    await this.announce(
      {
        kind: 'hazard',
        hazardId: report.hazardId,
        category: report.category,
        severity: report.severity,
        reportedAt: report.reportedAt,
        lon: report.lon,
        lat: report.lat,
        ...placement,
      },
      event.correlationId,
    );
    return { segmentId: placement.segmentId, duplicateDelivery: existing !== null, published: true };
  }

  async intakeAccident(event: AccidentReportedEvent): Promise<IntakeOutcome> {
    const report = event.payload;
    const existing = await this.accidents.find(report.accidentId);
    let placement = existing ? placementOf(existing) : null;
    if (!existing) {
      placement = await this.matcher.place(report.lon, report.lat);
      const inserted = await this.accidents.insertIfNew(report, this.placementRow(event, placement));
      if (inserted === 'same-external-id') {
        this.logger.warn(`accident ${report.accidentId}: external id ${report.externalId} was recorded already; ignored`);
        return { segmentId: null, duplicateDelivery: true, published: false };
      }
      if (!placement) this.logger.log(`accident ${report.accidentId} is on no known road; kept unmatched`);
    }
    if (!placement) return { segmentId: null, duplicateDelivery: existing !== null, published: false };
    await this.announce(
      {
        kind: 'accident',
        accidentId: report.accidentId,
        externalId: report.externalId,
        occurredAt: report.occurredAt,
        deaths: report.deaths,
        seriousInjuries: report.seriousInjuries,
        slightInjuries: report.slightInjuries,
        propertyDamageOnly: report.propertyDamageOnly,
        lon: report.lon,
        lat: report.lat,
        ...placement,
      },
      event.correlationId,
    );
    return { segmentId: placement.segmentId, duplicateDelivery: existing !== null, published: true };
  }

  private placementRow(event: { eventId: string; correlationId: string }, placement: Placement | null) {
    return {
      eventId: event.eventId,
      correlationId: event.correlationId,
      segmentId: placement?.segmentId ?? null,
      matchDistanceM: placement?.distanceM ?? null,
      offsetM: placement?.offsetM ?? null,
    };
  }

  private async announce(payload: ReportMatched, correlationId: string): Promise<void> {
    await this.publisher.publish(reportMatchedTopic, payload, { correlationId });
  }
}

/** Where a report recorded earlier was placed (a redelivery is placed where the first one was). */
function placementOf(row: { segmentId: string | null; matchDistanceM: number | null; offsetM: number | null }): Placement | null {
  return row.segmentId ? { segmentId: row.segmentId, distanceM: row.matchDistanceM ?? 0, offsetM: row.offsetM ?? 0 } : null;
}
