import { Injectable, Logger } from '@nestjs/common';
import { HazardReportedEvent, SegmentRiskChanged, segmentRiskChangedTopic } from '@roadloop/contracts';
import { EventPublisher } from '@roadloop/kafka';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { HazardRepository } from '../hazards/hazard.repository';
import { SegmentRepository } from '../segments/segment.repository';
import { RankingStore } from './ranking.store';
import { assessRisk } from './risk-model';
import { SegmentRiskRepository } from './segment-risk.repository';

type Cause = NonNullable<SegmentRiskChanged['cause']>;

export interface HazardOutcome {
  hazardId: string;
  segmentId: string | null;
  duplicateDelivery: boolean;
  published: boolean;
}

@Injectable()
export class RiskService {
  private readonly logger = new Logger(RiskService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly segments: SegmentRepository,
    private readonly hazards: HazardRepository,
    private readonly risks: SegmentRiskRepository,
    private readonly ranking: RankingStore,
    private readonly publisher: EventPublisher,
    private readonly toleranceM: number,
  ) {}

  /**
   * Records a hazard against its nearest segment and re-scores that segment. Idempotent: a second
   * delivery records nothing new, but still announces a level change that a crash kept from being
   * announced the first time.
   */
  async recordHazard(event: HazardReportedEvent): Promise<HazardOutcome> {
    const report = event.payload;
    const outcome = await this.tx.run(async (scope) => {
      const existing = await this.hazards.find(report.hazardId, scope);
      const segmentId = existing
        ? existing.segmentId
        : await this.matchAndInsert(event, scope);
      if (!segmentId) return { segmentId: null, duplicateDelivery: existing !== null, change: null };
      const change = await this.rescore(segmentId, { kind: 'hazard', id: report.hazardId }, scope);
      return { segmentId, duplicateDelivery: existing !== null, change };
    });
    let published = false;
    if (outcome.change) {
      await this.ranking.set(outcome.change.segmentId, outcome.change.score);
      published = await this.announce(outcome.change, event.correlationId);
    }
    return { hazardId: report.hazardId, segmentId: outcome.segmentId, duplicateDelivery: outcome.duplicateDelivery, published };
  }

  private async matchAndInsert(event: HazardReportedEvent, scope: TxScope): Promise<string | null> {
    const report = event.payload;
    const match = await this.segments.nearest(report.lon, report.lat, this.toleranceM, scope);
    await this.hazards.insertIfNew(
      report,
      {
        eventId: event.eventId,
        correlationId: event.correlationId,
        segmentId: match?.segmentId ?? null,
        matchDistanceM: match?.distanceM ?? null,
      },
      scope,
    );
    if (!match) this.logger.log(`hazard ${report.hazardId} is more than ${this.toleranceM} m from every segment; kept unmatched`);
    return match?.segmentId ?? null;
  }

  /** Recomputes a segment's score under a row lock; returns the change to announce, if any. */
  private async rescore(segmentId: string, cause: Cause, scope: TxScope): Promise<SegmentRiskChanged | null> {
    const segment = await this.segments.exposureOf(segmentId, scope);
    if (!segment) return null;
    const current = await this.risks.lock(segmentId, scope);
    const open = await this.hazards.openOnSegment(segmentId, scope);
    const assessment = assessRisk(segment.exposureScore, open);
    const changed = !current || current.score !== assessment.score || current.level !== assessment.level;
    const revision = current ? current.revision + (changed ? 1 : 0) : 0;
    if (changed) await this.risks.save({ segmentId, ...assessment, revision }, scope);
    const publishedLevel = current?.publishedLevel ?? null;
    if (publishedLevel === assessment.level) return null;
    return {
      segmentId,
      previousLevel: publishedLevel,
      level: assessment.level,
      score: assessment.score,
      revision,
      factors: assessment.factors,
      cause,
      lengthM: segment.lengthM,
      roadClass: segment.roadClass,
      name: segment.name,
    };
  }

  private async announce(change: SegmentRiskChanged, correlationId: string): Promise<boolean> {
    await this.publisher.publish(segmentRiskChangedTopic, change, { correlationId });
    await this.risks.markPublished(change.segmentId, change.level, change.revision);
    this.logger.log(`segment ${change.segmentId}: ${change.previousLevel ?? 'none'} → ${change.level} (${change.score})`);
    return true;
  }
}
