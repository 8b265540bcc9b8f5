import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ReportMatchedEvent,
  SegmentRiskChanged,
  TaskChangedEvent,
  hazardCategoriesFixedBy,
  segmentRiskChangedTopic,
} from '@roadloop/contracts';
import { EventPublisher, NonRetriableError } from '@roadloop/kafka';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { AccidentRepository } from '../accidents/accident.repository';
import { RISK_CONFIG, RiskConfig } from '../config';
import { HazardRepository } from '../hazards/hazard.repository';
import { SegmentRepository } from '../segments/segment.repository';
import { TaskStateRepository } from '../tasks/task-state.repository';
import { adjustedExposure } from './exposure-adjuster';
import { RankingStore } from './ranking.store';
import { RISK_MODEL, assessRisk } from './risk-model';
import { SegmentRiskRepository } from './segment-risk.repository';

type Cause = NonNullable<SegmentRiskChanged['cause']>;

const YEAR_MS = 365.25 * 86_400_000;

/**
 * Owns each segment's live risk. Every handler runs in one transaction holding the segment's risk
 * row lock, so concurrent reports about one segment are applied one after the other; the level
 * change is announced after the commit and recorded as announced, so a crash in between is
 * repaired by the redelivery.
 */
@Injectable()
export class RiskService {
  private readonly logger = new Logger(RiskService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly segments: SegmentRepository,
    private readonly hazards: HazardRepository,
    private readonly accidents: AccidentRepository,
    private readonly tasks: TaskStateRepository,
    private readonly risks: SegmentRiskRepository,
    private readonly ranking: RankingStore,
    private readonly publisher: EventPublisher,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** A hazard or accident placed on a segment: link duplicates, then re-score the segment. */
  async onReportMatched(event: ReportMatchedEvent, now = new Date()): Promise<SegmentRiskChanged | null> {
    const report = event.payload;
    const change = await this.tx.run(async (scope) => {
      await this.risks.lock(report.segmentId, scope);
      if (report.kind === 'hazard') {
        const hazard = await this.hazards.find(report.hazardId, scope);
        if (!hazard) throw new NonRetriableError(`hazard ${report.hazardId} was never recorded`, 'UNKNOWN_HAZARD');
        if (!hazard.assessed) {
          const original = await this.hazards.findOpenDuplicate(
            hazard,
            this.config.DUPLICATE_HAZARD_DISTANCE_M,
            this.config.DUPLICATE_HAZARD_DAYS,
            scope,
          );
          await this.hazards.markAssessed(hazard.id, original, scope);
          if (original) this.logger.log(`hazard ${hazard.id} duplicates ${original}; linked, not counted twice`);
        }
        return this.rescore(report.segmentId, { kind: 'hazard', id: report.hazardId }, now, scope);
      }
      return this.rescore(report.segmentId, { kind: 'accident', id: report.accidentId }, now, scope);
    });
    return this.settle(change, event.correlationId);
  }

  /** A task changed: a verified fix resolves its hazards and applies its countermeasure. */
  async onTaskChanged(event: TaskChangedEvent, now = new Date()): Promise<SegmentRiskChanged | null> {
    const task = event.payload;
    const change = await this.tx.run(async (scope) => {
      await this.risks.lock(task.segmentId, scope);
      const applied = await this.tasks.apply(task, new Date(event.occurredAt), scope);
      if (!applied) return this.rescore(task.segmentId, { kind: 'fix', id: task.taskId }, now, scope);
      if (task.status === 'verified') {
        const touched = await this.hazards.resolve(task.hazardIds, task.taskId, scope);
        const elsewhere = touched.filter((s) => s !== task.segmentId);
        if (elsewhere.length) this.logger.log(`task ${task.taskId} also resolved hazards on ${elsewhere.join(', ')}`);
        const covered = await this.hazards.resolveCoveredBy(
          task.segmentId, hazardCategoriesFixedBy(task.countermeasure), new Date(event.occurredAt), task.taskId, scope,
        );
        if (covered) this.logger.log(`task ${task.taskId} covered ${covered} more hazard(s) of its kind on ${task.segmentId}`);
      }
      return this.rescore(task.segmentId, { kind: 'fix', id: task.taskId }, now, scope);
    });
    return this.settle(change, event.correlationId);
  }

  /** A re-import changed the segment's static exposure: recompute its live risk. */
  async onReimported(segmentId: string, now = new Date()): Promise<SegmentRiskChanged | null> {
    const change = await this.tx.run(async (scope) => {
      await this.risks.lock(segmentId, scope);
      const result = await this.rescore(segmentId, { kind: 'import', id: segmentId }, now, scope);
      await this.segments.clearRescore(segmentId, scope);
      return result;
    });
    return this.settle(change, `reimport-${segmentId}`);
  }

  /** Recomputes a segment's score; returns the change to announce, if the level moved. */
  private async rescore(segmentId: string, cause: Cause, now: Date, scope: TxScope): Promise<SegmentRiskChanged | null> {
    const segment = await this.segments.exposureOf(segmentId, scope);
    if (!segment) throw new NonRetriableError(`segment ${segmentId} does not exist`, 'UNKNOWN_SEGMENT');
    const current = await this.risks.lock(segmentId, scope);
    // One connection serves the transaction: its queries run one after another.
    const open = await this.hazards.openOnSegment(segmentId, scope);
    const crashes = await this.accidents.onSegmentSince(segmentId, new Date(now.getTime() - RISK_MODEL.crash.windowYears * YEAR_MS), scope);
    const treatments = await this.tasks.verifiedOn(segmentId, scope);
    const exposure = adjustedExposure(segment, treatments);
    const assessment = assessRisk({
      exposureScore: exposure.score,
      lengthM: segment.lengthM,
      hazards: open,
      crashes: crashes.map((c) => ({ id: c.id, occurredAt: new Date(c.occurredAt), severity: c.severity })),
      now,
    });
    if (exposure.detail) assessment.factors[0] = { ...assessment.factors[0], detail: exposure.detail };
    const changed = !current || current.score !== assessment.score || current.level !== assessment.level;
    const revision = current ? current.revision + (changed ? 1 : 0) : 0;
    if (changed) {
      await this.risks.save(
        {
          segmentId,
          score: assessment.score,
          level: assessment.level,
          alarm: assessment.alarm,
          factors: assessment.factors,
          exposureScore: exposure.score,
          crashEstimate: assessment.crashes,
          revision,
        },
        cause,
        scope,
      );
    }
    const publishedLevel = current?.publishedLevel ?? null;
    if (!changed && publishedLevel === assessment.level) return null;
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

  /** After the commit: update the ranking, and announce the change when the level moved. */
  private async settle(change: SegmentRiskChanged | null, correlationId: string): Promise<SegmentRiskChanged | null> {
    if (!change) return null;
    await this.ranking.set(change.segmentId, change.score);
    if (change.level === change.previousLevel) return null;
    await this.publisher.publish(segmentRiskChangedTopic, change, { correlationId });
    await this.risks.markPublished(change.segmentId, change.level, change.revision);
    this.logger.log(`segment ${change.segmentId}: ${change.previousLevel ?? 'none'} → ${change.level} (${change.score})`);
    return change;
  }
}
