import { Injectable, Logger } from '@nestjs/common';
import {
  AccidentReportedEvent,
  HazardReportedEvent,
  ReportMatched,
  reportMatchedTopic,
} from '@roadloop/contracts';
import { EventPublisher } from '@roadloop/kafka';
import { AccidentRepository } from '../accidents/accident.repository';
import { HazardRepository, ReportClaim } from '../hazards/hazard.repository';
import { Placement, SegmentMatcherHolder } from '../segments/segment-matcher.holder';
import { IncomingReport, judgeClaims } from './report-claims';

/** Where a report was placed, whether it was a redelivery, and whether report-matched was published. */
export type ReportIntakeOutcome = { segmentId: string | null; duplicateDelivery: boolean; published: boolean };

/**
 * First stop of every report: place it on its nearest road segment, record it (matched or not —
 * unmatched reports are kept and listed, never dropped), and re-publish it keyed by segment so that
 * one consumer instance owns each segment's state. Only a recorded report is re-published: one that
 * reuses an event id, a report id or an external id for something else is refused (dead-lettered
 * with that reason); the same report delivered again is published again and changes nothing.
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

  async intakeHazard(event: HazardReportedEvent): Promise<ReportIntakeOutcome> {
    const report = event.payload;
    const { placement, duplicateDelivery } = await this.record(
      { kind: 'hazard', id: report.hazardId, eventId: event.eventId },
      report,
      () => this.hazards.claims(report, event.eventId),
      (at) => this.hazards.insertIfNew(report, this.placementRow(event, at)),
    );
    if (!placement) return { segmentId: null, duplicateDelivery, published: false };
    // Published again on a redelivery too: a crash after the insert must not lose the event.
    await this.announce(hazardMatched(event, placement), event.correlationId);
    return { segmentId: placement.segmentId, duplicateDelivery, published: true };
  }

  /**
   * Many hazard reports at once (a run of one partition): placed in memory, recorded in one
   * statement, announced in one request. A report whose ids some row already holds (a redelivery, a
   * reused id, one another partition recorded meanwhile: the insert skips it), or whose ids an earlier
   * report of the run uses, is left for `intakeHazard` to judge alone: its index is in `left`, and its
   * outcome unset. The insert is the only read of the ids: a redelivery is rare, and a read before it
   * cost every run a statement (an index probe per id, twice).
   */
  async intakeHazards(events: readonly HazardReportedEvent[]): Promise<{ outcomes: (ReportIntakeOutcome | undefined)[]; left: number[] }> {
    const seen = new Set<string>();
    const fresh: { index: number; event: HazardReportedEvent; placement: Placement | null }[] = [];
    const alone: number[] = [];
    for (const [index, event] of events.entries()) {
      const ids = [event.payload.hazardId, event.eventId];
      if (ids.some((id) => seen.has(id))) alone.push(index);
      else fresh.push({ index, event, placement: await this.matcher.place(event.payload.lon, event.payload.lat) });
      for (const id of ids) seen.add(id);
    }
    const recorded = await this.hazards.insertManyIfNew(
      fresh.map(({ event, placement }) => ({ report: event.payload, placement: this.placementRow(event, placement) })),
    );
    const outcomes: (ReportIntakeOutcome | undefined)[] = new Array(events.length);
    const announced: { payload: ReportMatched; options: { correlationId: string } }[] = [];
    for (const { index, event, placement } of fresh) {
      if (!recorded.has(event.payload.hazardId)) {
        alone.push(index);
        continue;
      }
      if (!placement) {
        this.logger.log(`hazard ${event.payload.hazardId} is on no known road; kept unmatched`);
        outcomes[index] = { segmentId: null, duplicateDelivery: false, published: false };
        continue;
      }
      announced.push({ payload: hazardMatched(event, placement), options: { correlationId: event.correlationId } });
      outcomes[index] = { segmentId: placement.segmentId, duplicateDelivery: false, published: true };
    }
    await this.publisher.publishEach(reportMatchedTopic, announced);
    return { outcomes, left: alone.sort((a, b) => a - b) };
  }

  async intakeAccident(event: AccidentReportedEvent): Promise<ReportIntakeOutcome> {
    const report = event.payload;
    const { placement, duplicateDelivery } = await this.record(
      { kind: 'accident', id: report.accidentId, eventId: event.eventId, externalId: report.externalId },
      report,
      () => this.accidents.claims(report, event.eventId),
      (at) => this.accidents.insertIfNew(report, this.placementRow(event, at)),
    );
    if (!placement) return { segmentId: null, duplicateDelivery, published: false };
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
    return { segmentId: placement.segmentId, duplicateDelivery, published: true };
  }

  /**
   * Records a report once and says where it lies. A redelivery is placed where the first delivery
   * was; a report whose id was taken between the read and the insert is judged again on what took it.
   */
  private async record(
    incoming: IncomingReport,
    at: { lon: number; lat: number },
    claims: () => Promise<ReportClaim[]>,
    insert: (placement: Placement | null) => Promise<boolean>,
  ): Promise<{ placement: Placement | null; duplicateDelivery: boolean }> {
    for (let round = 1; round <= 2; round++) {
      const recorded = judgeClaims(incoming, await claims());
      if (recorded) return { placement: placementOf(recorded), duplicateDelivery: true };
      const placement = await this.matcher.place(at.lon, at.lat);
      if (await insert(placement)) {
        if (!placement) this.logger.log(`${incoming.kind} ${incoming.id} is on no known road; kept unmatched`);
        return { placement, duplicateDelivery: false };
      }
    }
    throw new Error(`${incoming.kind} ${incoming.id}: its id was taken, then not found`);
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

/** What the rest of the pipeline learns of a placed hazard report. */
function hazardMatched(event: HazardReportedEvent, placement: Placement): ReportMatched {
  const report = event.payload;
  return {
    kind: 'hazard',
    hazardId: report.hazardId,
    category: report.category,
    severity: report.severity,
    reportedAt: report.reportedAt,
    lon: report.lon,
    lat: report.lat,
    ...placement,
  };
}

/** Where a report recorded earlier was placed (a redelivery is placed where the first one was). */
function placementOf(row: { segmentId: string | null; matchDistanceM: number | null; offsetM: number | null }): Placement | null {
  return row.segmentId ? { segmentId: row.segmentId, distanceM: row.matchDistanceM ?? 0, offsetM: row.offsetM ?? 0 } : null;
}
