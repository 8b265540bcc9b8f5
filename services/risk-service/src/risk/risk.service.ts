import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ReportMatchedEvent,
  RoadsideInventoryChangedEvent,
  SegmentRiskChangedV2,
  TaskChangedEvent,
  hazardCategoriesFixedBy,
  segmentRiskChangedV2Topic,
} from '@roadloop/contracts';
import { EventPublisher, NonRetriableError } from '@roadloop/kafka';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { AccidentRepository, StoredAccident } from '../accidents/accident.repository';
import { RISK_CONFIG, RiskConfig } from '../config';
import { HazardRepository } from '../hazards/hazard.repository';
import { RoadsideInventoryRepository } from '../roadside/roadside-inventory.repository';
import { ReachCache } from '../segments/reach.cache';
import { Reach, SegmentRepository } from '../segments/segment.repository';
import { TaskStateRepository, countsForRisk } from '../tasks/task-state.repository';
import { adjustedExposure, roadsideKnowledge } from './exposure-adjuster';
import { sameAsJson } from './json-equal';
import { RankingStore } from './ranking.store';
import { CRASH_WINDOW_MS, RISK_MODEL, assessRisk, reachPieceOf, roadOf, withInventory } from './risk-model';
import { SegmentRiskRepository, SegmentRiskRow } from './segment-risk.repository';

type Cause = NonNullable<SegmentRiskChangedV2['cause']>;

/**
 * Owns each segment's live risk. Every handler runs in one transaction holding the risk row locks
 * of the segments it re-scores (a crash re-scores its segment's whole reach, whose EB pools it), so
 * concurrent reports about one place are applied one after the other; level changes are announced
 * after the commit and recorded as announced, so a crash in between is repaired by the redelivery.
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
    private readonly roadside: RoadsideInventoryRepository,
    private readonly ranking: RankingStore,
    private readonly publisher: EventPublisher,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
    private readonly reaches: ReachCache,
  ) {}

  /** A hazard or accident placed on a segment: link duplicates, then re-score the segment (a crash: its reach). */
  async onReportMatched(event: ReportMatchedEvent, now = new Date()): Promise<SegmentRiskChangedV2 | null> {
    const report = event.payload;
    if (report.kind === 'hazard') await this.assessHazards([report.hazardId]);
    const changes = await this.tx.run(async (scope) => {
      if (report.kind === 'hazard') {
        await this.risks.lock(report.segmentId, scope);
        return [await this.rescore(report.segmentId, { kind: 'hazard', id: report.hazardId }, now, scope)];
      }
      return this.rescoreReach(report.segmentId, { kind: 'accident', id: report.accidentId }, now, scope);
    });
    return this.rankAndAnnounce(changes, event.correlationId, report.segmentId);
  }

  /**
   * A run of reports placed on segments (one partition's, in order): its new hazards assessed in
   * order as `onReportMatched` would one at a time (`assessHazards`), then, in one transaction, each
   * segment touched re-scored once (a crash: its whole reach), its revision caused by the last report
   * that touched it; the ranking updated and level changes announced after the commit, in one request.
   */
  async onReportsMatched(events: readonly ReportMatchedEvent[], now = new Date()): Promise<void> {
    if (!events.length) return;
    await this.assessHazards(events.flatMap((e) => (e.payload.kind === 'hazard' ? [e.payload.hazardId] : [])));
    const touched = await this.tx.run(async (scope) => {
      const last = new Map<string, { cause: Cause; correlationId: string }>();
      const crashed = events.flatMap((e) => (e.payload.kind === 'accident' ? [e.payload.segmentId] : []));
      const reaches = crashed.length ? await this.reaches.reachesOf(crashed, scope) : new Map<string, Reach>();
      for (const event of events) {
        const report = event.payload;
        const cause: Cause = report.kind === 'hazard' ? { kind: 'hazard', id: report.hazardId } : { kind: 'accident', id: report.accidentId };
        let ids = [report.segmentId];
        if (report.kind === 'accident') {
          const reach = reaches.get(report.segmentId);
          if (!reach) throw new NonRetriableError(`segment ${report.segmentId} does not exist`, 'UNKNOWN_SEGMENT');
          ids = [report.segmentId, ...reach.neighbours.map((n) => n.id)];
        }
        for (const id of ids) {
          last.delete(id);
          last.set(id, { cause, correlationId: event.correlationId });
        }
      }
      // rescoreMany locks the rows, in id order, before it reads anything else.
      const targets = [...last].map(([segmentId, { cause }]) => ({ segmentId, cause }));
      const changes = await this.rescoreMany(targets, now, scope);
      return [...last.values()].map(({ correlationId }, i) => ({ change: changes[i], correlationId }));
    });
    await this.rankAndAnnounceAll(touched);
  }

  /** A task changed: a verified fix resolves its hazards and applies its countermeasure. */
  async onTaskChanged(event: TaskChangedEvent, now = new Date()): Promise<SegmentRiskChangedV2 | null> {
    const announced = await this.rankAndAnnounceAll(await this.recordTaskChanges([event], now));
    return announced.find((c) => c.segmentId === event.payload.segmentId) ?? null;
  }

  /** `onTaskChanged` for a run of one partition's task changes, in one transaction, each segment re-scored once. */
  async onTasksChanged(events: readonly TaskChangedEvent[], now = new Date()): Promise<void> {
    if (!events.length) return;
    await this.rankAndAnnounceAll(await this.recordTaskChanges(events, now));
  }

  /**
   * Records tasks' changes, in order, in one transaction; each newly verified fix resolves its
   * hazards and those of its kind it covers. A segment is re-scored (once) when one of its changes
   * moves a task into or out of what the model reads (a verified fix, a failed fix still open), and
   * for a change not applied (delivered again: its first delivery may have re-scored and committed,
   * then failed before announcing). Opening, assigning or starting a task leaves its risk as it was.
   */
  private async recordTaskChanges(events: readonly TaskChangedEvent[], now: Date): Promise<{ change: SegmentRiskChangedV2 | null; correlationId: string }[]> {
    return this.tx.run(async (scope) => {
      const unknown = await this.segments.firstMissing([...new Set(events.map((e) => e.payload.segmentId))], scope);
      if (unknown !== null) throw new NonRetriableError(`segment ${unknown} does not exist`, 'UNKNOWN_SEGMENT');
      const results = await this.tasks.applyMany(events.map((e) => ({ change: e.payload, at: new Date(e.occurredAt) })), scope);
      const last = new Map<string, { cause: Cause; correlationId: string }>();
      events.forEach((event, i) => {
        const { applied, before } = results[i];
        if (applied && !countsForRisk(before) && !countsForRisk(event.payload)) return;
        last.delete(event.payload.segmentId);
        last.set(event.payload.segmentId, { cause: { kind: 'fix', id: event.payload.taskId }, correlationId: event.correlationId });
      });
      if (!last.size) return [];
      const locked = await this.risks.lockMany([...last.keys()].sort(), scope);
      for (const [i, event] of events.entries()) {
        if (results[i].applied && event.payload.status === 'verified') await this.resolveFixed(event, scope);
      }
      const changes = await this.rescoreMany([...last].map(([segmentId, { cause }]) => ({ segmentId, cause })), now, scope, locked);
      return [...last.values()].map(({ correlationId }, i) => ({ change: changes[i], correlationId }));
    });
  }

  private async resolveFixed(event: TaskChangedEvent, scope: TxScope): Promise<void> {
    const task = event.payload;
    const touched = await this.hazards.resolve(task.hazardIds, task.taskId, scope);
    const elsewhere = touched.filter((s) => s !== task.segmentId);
    if (elsewhere.length) this.logger.log(`task ${task.taskId} also resolved hazards on ${elsewhere.join(', ')}`);
    const covered = await this.hazards.resolveCoveredBy(
      task.segmentId, hazardCategoriesFixedBy(task.countermeasure), new Date(event.occurredAt), task.taskId, scope,
    );
    if (covered) this.logger.log(`task ${task.taskId} covered ${covered} more hazard(s) of its kind on ${task.segmentId}`);
  }

  /**
   * The task service recorded a segment's roadside (a survey's findings, an import): a side found
   * present is guarded, absent or damaged unguarded whatever the map says. Always re-scored, so a
   * redelivery after a crash between the commit and the announcement still announces the change once.
   */
  async onRoadsideInventoryChanged(event: RoadsideInventoryChangedEvent, now = new Date()): Promise<SegmentRiskChangedV2 | null> {
    const { segmentId, sides } = event.payload;
    const changes = await this.tx.run(async (scope) => {
      await this.risks.lock(segmentId, scope);
      const changed = await this.roadside.apply(segmentId, sides, new Date(event.occurredAt), scope);
      if (changed.length) this.logger.log(`segment ${segmentId}: roadside recorded (${sides.map((s) => `${s.side} ${s.status}`).join(', ')})`);
      return [await this.rescore(segmentId, { kind: 'inventory', id: segmentId }, now, scope)];
    });
    return this.rankAndAnnounce(changes, event.correlationId, segmentId);
  }

  /**
   * A re-import changed the segment, or the risk model changed since its score: recompute its live
   * risk (announced once if its level moved).
   */
  /**
   * Re-scores up to `limit` segments waiting for it (re-imported, or scored by another model version)
   * in one transaction; segments another instance is re-scoring are left to it. Returns how many.
   */
  async rescorePending(limit: number, now = new Date()): Promise<number> {
    const done = await this.tx.run(async (scope) => {
      const ids = await this.segments.pendingRescores(limit, scope);
      const changes = await this.rescoreReimported(ids, now, scope);
      await this.segments.clearRescores(ids, scope);
      return ids.map((id, i) => ({ change: changes[i], correlationId: `rescore-${id}` }));
    });
    await this.rankAndAnnounceAll(done);
    return done.length;
  }

  /** Re-scores segments after an import or a model change; the cause says which. */
  private async rescoreReimported(ids: readonly string[], now: Date, scope: TxScope): Promise<(SegmentRiskChangedV2 | null)[]> {
    if (!ids.length) return [];
    const current = await this.risks.lockMany([...ids].sort(), scope);
    const targets = ids.map((segmentId) => {
      const stored = current.get(segmentId);
      const cause: Cause = stored && stored.modelVersion !== RISK_MODEL.version ? { kind: 'model', id: RISK_MODEL.version } : { kind: 'import', id: segmentId };
      return { segmentId, cause };
    });
    return this.rescoreMany(targets, now, scope, current);
  }

  /**
   * Decides whether each new hazard of a run repeats an earlier report (then it is linked to that one
   * as its duplicate and not counted twice), in the run's order, as one at a time would: a hazard may
   * repeat one the same run assessed before it. In a transaction of its own, short, since hazard
   * assessment is one transaction at a time per schema; the re-score that follows reads what it
   * decided, and a redelivery after a failure between the two finds the hazards assessed and re-scores.
   */
  private async assessHazards(hazardIds: readonly string[]): Promise<void> {
    const ids = [...new Set(hazardIds)];
    if (!ids.length) return;
    await this.tx.run(async (scope) => {
      await this.hazards.lockAssessment(scope);
      // What the run's hazards are and what they may repeat, read together: the lock is held meanwhile.
      const candidates = await this.hazards.duplicateCandidates(ids, this.config.DUPLICATE_HAZARD_DISTANCE_M, this.config.DUPLICATE_HAZARD_DAYS, scope);
      const missing = ids.find((id) => !candidates.has(id));
      if (missing) throw new NonRetriableError(`hazard ${missing} was never recorded`, 'UNKNOWN_HAZARD');
      const pending = ids.filter((id) => !candidates.get(id)!.assessed);
      if (!pending.length) return;
      // The run's hazards assessed so far that stayed open: for the later ones, already-assessed reports.
      const openBefore = new Set<string>();
      const decisions: { id: string; duplicateOf: string | null }[] = [];
      for (const id of pending) {
        const { earliest, near } = candidates.get(id)!;
        let original = earliest;
        for (const other of near) {
          if (!openBefore.has(other)) continue;
          const reportedUs = candidates.get(other)!.reportedUs;
          if (!original || reportedUs < original.reportedUs || (reportedUs === original.reportedUs && other < original.id)) original = { id: other, reportedUs };
        }
        decisions.push({ id, duplicateOf: original?.id ?? null });
        if (original) this.logger.log(`hazard ${id} duplicates ${original.id}; linked, not counted twice`);
        else if (candidates.get(id)!.open) openBefore.add(id);
      }
      await this.hazards.markAssessedMany(decisions, scope);
    });
  }

  /** A crash counts on every reach it lies on: the segment's and its neighbours'. */
  private async rescoreReach(segmentId: string, cause: Cause, now: Date, scope: TxScope): Promise<(SegmentRiskChangedV2 | null)[]> {
    const reach = (await this.reaches.reachesOf([segmentId], scope)).get(segmentId);
    if (!reach) throw new NonRetriableError(`segment ${segmentId} does not exist`, 'UNKNOWN_SEGMENT');
    const ids = [segmentId, ...reach.neighbours.map((n) => n.id)].sort();
    return this.rescoreMany(ids.map((id) => ({ segmentId: id, cause })), now, scope);
  }

  /** Recomputes a segment's score; returns the change to announce, if the score or level moved. */
  private async rescore(segmentId: string, cause: Cause, now: Date, scope: TxScope): Promise<SegmentRiskChangedV2 | null> {
    const [change] = await this.rescoreMany([{ segmentId, cause }], now, scope);
    return change;
  }

  /**
   * Recomputes segments' scores, reading what the model needs for all of them at once (their rows
   * locked in id order) and saving the revisions in one statement; returns, in order, each change to
   * announce (null where neither score nor level moved, or the level was announced already).
   * `locked`: the targets' rows as the caller locked them earlier in this transaction (not read again).
   */
  private async rescoreMany(
    targets: readonly { segmentId: string; cause: Cause }[],
    now: Date,
    scope: TxScope,
    locked?: ReadonlyMap<string, SegmentRiskRow>,
  ): Promise<(SegmentRiskChangedV2 | null)[]> {
    const ids = targets.map((t) => t.segmentId);
    const current = locked ?? (await this.risks.lockMany([...ids].sort(), scope));
    const reaches = await this.reaches.reachesOf(ids, scope);
    const missing = ids.find((id) => !reaches.has(id));
    if (missing) throw new NonRetriableError(`segment ${missing} does not exist`, 'UNKNOWN_SEGMENT');
    // One connection serves the transaction: its queries run one after another.
    const open = await this.hazards.openOnSegments(ids, scope);
    const pooled = [...new Set(ids.flatMap((id) => [id, ...reaches.get(id)!.neighbours.map((n) => n.id)]))];
    const crashesBySegment = new Map<string, StoredAccident[]>();
    for (const c of await this.accidents.onSegmentsSince(pooled, new Date(now.getTime() - CRASH_WINDOW_MS), scope)) {
      const list = crashesBySegment.get(c.segmentId!) ?? [];
      list.push(c);
      crashesBySegment.set(c.segmentId!, list);
    }
    const treatmentsOf = await this.tasks.verifiedOnEach(ids, scope);
    const recordedOf = await this.roadside.ofEach(ids, scope);
    const fixFailed = await this.tasks.fixFailedOnAny(ids, scope);
    const revisions: { row: Parameters<SegmentRiskRepository['save']>[0]; cause: Cause }[] = [];
    const changes = targets.map(({ segmentId, cause }) => {
      const { segment, neighbours } = reaches.get(segmentId)!;
      const stored = current.get(segmentId) ?? null;
      const treatments = treatmentsOf.get(segmentId) ?? [];
      const recorded = recordedOf.get(segmentId) ?? [];
      const known = roadsideKnowledge(treatments, recorded);
      // The reach's crashes in time order, as one query over the reach would give them.
      const crashes = [segmentId, ...neighbours.map((n) => n.id)]
        .flatMap((id) => crashesBySegment.get(id) ?? [])
        .sort((a, b) => (a.occurredAt === b.occurredAt ? (a.id < b.id ? -1 : 1) : new Date(a.occurredAt).getTime() - new Date(b.occurredAt).getTime()));
      const assessment = assessRisk({
        road: withInventory(roadOf(segment), known.inventory),
        guarded: known.guarded,
        neighbours: neighbours.map((n) => reachPieceOf(n)),
        hazards: open.get(segmentId) ?? [],
        crashes: crashes.map((c) => ({ id: c.id, occurredAt: new Date(c.occurredAt), severity: c.severity })),
        fixFailed: fixFailed.has(segmentId),
        now,
      });
      // The design rating (the engine's exposure score after verified and recorded guardrails) is kept beside the live risk.
      const design = adjustedExposure(segment, treatments, recorded);
      const changed =
        !stored || stored.score !== assessment.score || stored.level !== assessment.level || stored.alarm !== assessment.alarm ||
        stored.modelVersion !== RISK_MODEL.version;
      const revision = stored ? stored.revision + (changed ? 1 : 0) : 0;
      // The same score for other reasons (the hazard product is capped; a report became a duplicate):
      // the row's explanation is brought up to date in place, without a new revision or announcement.
      const explainedAnew = !changed && !sameExplanation(stored!, { factors: assessment.factors, crashEstimate: assessment.crashes, exposureScore: design.score });
      if (changed || explainedAnew) {
        revisions.push({
          row: {
            segmentId,
            score: assessment.score,
            level: assessment.level,
            alarm: assessment.alarm,
            factors: assessment.factors,
            exposureScore: design.score,
            crashEstimate: assessment.crashes,
            revision,
            modelVersion: RISK_MODEL.version,
          },
          cause,
        });
      }
      const publishedLevel = stored?.publishedLevel ?? null;
      if (!changed && publishedLevel === assessment.level) return null;
      // Back at the announced level while the stored one may still be on its way out (another
      // partition's transaction committed it and has not announced it yet): announced again from
      // the stored level, so that the last word on the topic is this revision's.
      const pending = stored !== null && stored.level !== publishedLevel && (stored.publishedRevision ?? -1) < stored.revision;
      return {
        segmentId,
        previousLevel: pending && assessment.level === publishedLevel ? stored.level : publishedLevel,
        level: assessment.level,
        score: assessment.score,
        alarm: assessment.alarm,
        revision,
        factors: assessment.factors,
        cause,
        modelVersion: RISK_MODEL.version,
        lengthM: segment.lengthM,
        roadClass: segment.roadClass,
        name: segment.name,
      };
    });
    await this.risks.saveMany(revisions, scope);
    return changes;
  }

  /** After the commit: update the ranking, and announce each change whose level moved. Returns the one of `segmentId`. */
  private async rankAndAnnounce(changes: readonly (SegmentRiskChangedV2 | null)[], correlationId: string, segmentId: string): Promise<SegmentRiskChangedV2 | null> {
    const announced = await this.rankAndAnnounceAll(changes.map((change) => ({ change, correlationId })));
    return announced.find((c) => c.segmentId === segmentId) ?? null;
  }

  /** After the commit: the ranking updated in one Redis transaction, level changes announced in one request. Returns those announced. */
  private async rankAndAnnounceAll(changes: readonly { change: SegmentRiskChangedV2 | null; correlationId: string }[]): Promise<SegmentRiskChangedV2[]> {
    const scored = changes.filter((c): c is { change: SegmentRiskChangedV2; correlationId: string } => c.change !== null);
    await this.ranking.setMany(scored.map(({ change }) => change.segmentId));
    const moved = scored.filter(({ change }) => change.level !== change.previousLevel);
    await this.publisher.publishEach(segmentRiskChangedV2Topic, moved.map(({ change, correlationId }) => ({ payload: change, options: { correlationId } })));
    await this.risks.markPublishedMany(moved.map(({ change }) => change));
    for (const { change } of moved) {
      this.logger.log(`segment ${change.segmentId}: ${change.previousLevel ?? 'none'} → ${change.level} (${change.score} FSI/km·yr)`);
    }
    return moved.map(({ change }) => change);
  }
}

/** Whether a stored row already explains its score as an assessment does (compared as stored: JSON, key order aside). */
function sameExplanation(
  stored: Pick<SegmentRiskRow, 'factors' | 'crashEstimate' | 'exposureScore'>,
  next: Pick<SegmentRiskRow, 'factors' | 'crashEstimate' | 'exposureScore'>,
): boolean {
  return stored.exposureScore === next.exposureScore && sameAsJson(stored.factors, next.factors) && sameAsJson(stored.crashEstimate, next.crashEstimate);
}
