import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AccidentMatched,
  HazardCategory,
  HazardMatched,
  ReportMatchedEvent,
  SegmentProfileEvent,
  SegmentRiskChangedV2Event,
  countermeasureFor,
  crashSeverityOf,
} from '@roadloop/contracts';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig, slaHoursOf } from '../config';
import { SegmentJurisdictionService } from '../jurisdictions/segment-jurisdiction.service';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { RoadsideService } from '../roadside/roadside.service';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { workClassOf } from '../crews/work-class';
import { AssignmentService, RunCrews } from './assignment.service';
import { TaskLedger } from './task-ledger.service';
import { TaskReopenService } from './task-reopen.service';
import {
  SlaHours,
  TaskProposal,
  dueAt,
  proposeFromFatalCrash,
  proposeFromHazard,
  proposeFromRisk,
  withinReopenWindow,
} from './task-rules';
import { SYSTEM_ACTOR, TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';
import { SegmentSight, TaskRunView } from './task-run-view';

/** What handling an event did to tasks, for logs and tests. */
export type TaskIntakeOutcome =
  | { kind: 'ignored'; why: string }
  | { kind: 'created'; taskId: string }
  | { kind: 'linked'; taskId: string }
  | { kind: 'reopened'; taskIds: string[] }
  | { kind: 'profile'; assigned: string[]; needs: string[] };

interface Source {
  eventId: string;
  correlationId: string;
}

/**
 * The rules that turn consumed events into tasks. Each event, or each run of one partition's events,
 * is handled in one transaction and is idempotent: hazards and crashes are recorded once by id, risk changes once per revision, profiles
 * only when newer, and the unique open-task index prevents a second open task. Each transaction first
 * takes the locks of the segments it handles, in one global order, so that runs of different
 * partitions (and topics) touching the same segments wait for each other instead of deadlocking.
 */
@Injectable()
export class TaskIntakeService {
  private readonly logger = new Logger(TaskIntakeService.name);
  private readonly sla: SlaHours;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly tasks: TaskRepository,
    private readonly segments: SegmentRefRepository,
    private readonly assignment: AssignmentService,
    private readonly ledger: TaskLedger,
    private readonly clock: Clock,
    private readonly outbox: OutboxNudge,
    private readonly reopener: TaskReopenService,
    private readonly segmentJurisdictions: SegmentJurisdictionService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    private readonly roadside: RoadsideService,
  ) {
    this.sla = slaHoursOf(config);
  }

  /** Rule: a segment reaching the top risk level gets a task (once per risk revision). */
  async onRiskChanged(event: SegmentRiskChangedV2Event): Promise<TaskIntakeOutcome> {
    return this.run((scope) => this.riskChanged(event, scope));
  }

  /**
   * `onRiskChanged` for a run of one partition's changes, in order, in one transaction (all or none):
   * the revisions of the whole run advanced with one statement, then the rule for the changes that
   * applied and ask for a task, with the open tasks, verified fixes, unresolved hazards and
   * jurisdictions of those segments read with one query each (see `onReportsMatched`).
   */
  async onRisksChanged(events: readonly SegmentRiskChangedV2Event[]): Promise<TaskIntakeOutcome[]> {
    return this.runAll((scope) => this.ledger.withRecordsDeferred(scope, () => this.risksChanged(events, scope)));
  }

  private async risksChanged(events: readonly SegmentRiskChangedV2Event[], scope: TxScope): Promise<TaskIntakeOutcome[]> {
    await this.segments.lockSegments(events.map((e) => e.payload.segmentId), scope);
    const applied = await this.segments.advanceRisks(
      events.map((e) => ({ segmentId: e.payload.segmentId, revision: e.payload.revision, level: e.payload.level, eventId: e.eventId })),
      scope,
    );
    // The tasks the rule may open or link to are locked first, then the routing locks, in one order.
    const proposals = events.flatMap((e, i) => {
      const proposal = applied[i] ? proposeFromRisk(e.payload, this.config.RISK_TASK_MIN_LEVEL) : null;
      return proposal ? [proposal] : [];
    });
    const view = this.viewOf(scope);
    let crews: RunCrews | undefined;
    if (proposals.length) {
      await view.load(proposals);
      const segmentIds = proposals.map((p) => p.segmentId);
      const jurisdictions = await this.assignment.jurisdictionsOf(segmentIds, scope);
      const notUrgent = proposals.some((p) => workClassOf({ ...p, fixFailed: false }) !== 'urgent');
      const locked = [...jurisdictions.values()].filter((j): j is string => j !== null);
      await this.assignment.lockForRouting(locked, notUrgent, scope);
      crews = this.assignment.crewsOfLocked(locked, scope);
      await view.prepareOpens(segmentIds, jurisdictions);
    }
    const outcomes: TaskIntakeOutcome[] = [];
    for (const [i, event] of events.entries()) outcomes.push(applied[i] ? await this.riskApplied(event, scope, view, crews) : riskAlreadyApplied(event));
    await view.flush();
    return outcomes;
  }

  private async riskChanged(event: SegmentRiskChangedV2Event, scope: TxScope): Promise<TaskIntakeOutcome> {
    const change = event.payload;
    await this.segments.lockSegments([change.segmentId], scope);
    if (!(await this.segments.advanceRisk(change.segmentId, change.revision, change.level, event.eventId, scope))) return riskAlreadyApplied(event);
    return this.riskApplied(event, scope);
  }

  /**
   * The rule for a risk change whose revision was applied. In a run, the open task, the latest
   * verified fix and the segment's unresolved hazards and jurisdiction come from the run's view.
   */
  private async riskApplied(event: SegmentRiskChangedV2Event, scope: TxScope, view?: TaskRunView, crews?: RunCrews): Promise<TaskIntakeOutcome> {
    const change = event.payload;
    const proposal = proposeFromRisk(change, this.config.RISK_TASK_MIN_LEVEL);
    if (!proposal) return { kind: 'ignored', why: `no task for ${change.previousLevel ?? 'none'} → ${change.level}` };
    // A risk computed before a fix of the same kind was verified (it arrived late) asks for that fix
    // again: the verification answered it. Only a later risk, or a crash or hazard, may say it did not hold.
    const lastVerified = view ? view.lastVerifiedOf(proposal) : ((await this.tasks.lockVerified(change.segmentId, proposal.countermeasure, scope))[0] ?? null);
    if (lastVerified && lastVerified.verifiedAt! > new Date(event.occurredAt)) {
      return { kind: 'ignored', why: `risk of ${event.occurredAt} predates the ${proposal.countermeasure} verified on ${change.segmentId} at ${lastVerified.verifiedAt!.toISOString()}` };
    }
    const risk = { riskLevel: change.level, riskScore: change.score };
    if (!view) return this.open(proposal, event, scope, risk);
    const sight = view.sightOf(change.segmentId);
    const existing = view.openOf(proposal);
    if (existing) {
      // As `open` does: the segment's unresolved hazards of the countermeasure linked to the open task.
      // (Read again when a refused open in this run dropped the view's copy.)
      const unresolved = sight.unresolved ?? (await this.segments.unresolvedHazards(change.segmentId, scope));
      for (const hazardId of relatedHazards(proposal, unresolved, NONE)) view.link(existing, hazardId);
      return { kind: 'linked', taskId: existing.id };
    }
    // The links collected so far wait: an open reads no hazard list and writes no other task.
    const { outcome, task } = await this.openTask(proposal, event, scope, risk, { unrecorded: NONE, noneOpen: true, ...sight, crews });
    // Refused: another writer opened one meanwhile; read it.
    if (task) view.opened(task);
    else await view.changed(change.segmentId);
    return outcome;
  }

  async onReportMatched(event: ReportMatchedEvent): Promise<TaskIntakeOutcome> {
    return this.run((scope) => this.reportMatched(event, scope));
  }

  /**
   * `onReportMatched` for a run of one partition's reports, in order, in one transaction (all or none),
   * with the outcome of handling them one at a time. The run's hazards are recorded with one
   * statement (the first delivery of a new id is the new one); the open tasks and the latest verified
   * fixes of every segment and countermeasure they concern are read and locked with one query each;
   * the hazards are then walked in order: a link to an open task (or to the fix that covered a late
   * hazard) is collected and written with the others in one statement, an ignored one costs nothing.
   * What is rarer goes through the one-at-a-time code: a failed fix reopened or a crash with the
   * collected links written before it and the view of that segment read again after it; a task
   * opened with its insert written aside for the run's others (see `TaskLedger.withRecordsDeferred`).
   */
  async onReportsMatched(events: readonly ReportMatchedEvent[]): Promise<TaskIntakeOutcome[]> {
    // Nothing in a run reads the audit trail or the outbox: the run's records are written at its end.
    return this.runAll((scope) => this.ledger.withRecordsDeferred(scope, () => this.reportsMatched(events, scope)));
  }

  private async reportMatched(event: ReportMatchedEvent, scope: TxScope): Promise<TaskIntakeOutcome> {
    const report = event.payload;
    await this.segments.lockSegments([report.segmentId], scope);
    return report.kind === 'hazard' ? this.onHazard(report, event, scope) : this.onAccident(report, event, scope);
  }

  private async reportsMatched(events: readonly ReportMatchedEvent[], scope: TxScope): Promise<TaskIntakeOutcome[]> {
    await this.segments.lockSegments(events.map((e) => e.payload.segmentId), scope);
    const hazards = events.flatMap((e) => (e.payload.kind === 'hazard' ? [hazardRow(e.payload, e.eventId)] : []));
    const recorded = await this.segments.insertHazardsIfNew(hazards, scope);
    // One at a time, the first delivery of a hazard records it and a repeat is a redelivery. A task
    // opened by an event lists the unresolved hazards recorded so far: not those of later events
    // (`unrecorded`), which one at a time would be linked to it afterwards, in their order.
    const unrecorded = new Set<string>();
    const isNew = events.map((e) => {
      const report = e.payload;
      if (report.kind !== 'hazard' || !recorded.has(report.hazardId) || unrecorded.has(report.hazardId)) return false;
      unrecorded.add(report.hazardId);
      return true;
    });
    const fresh = events.flatMap((e, i) => (isNew[i] && e.payload.kind === 'hazard' ? [e.payload] : []));
    const view = this.viewOf(scope);
    await view.load(fresh.map((h) => ({ segmentId: h.segmentId, countermeasure: countermeasureFor(h.category) })));
    // Where a task may be opened (a severe hazard), reopened (a verified fix) or both (a crash), routing
    // takes jurisdictions' locks: all of them now, in one order, after the task rows (a crash's too).
    const severe = fresh.filter((h) => proposeFromHazard(h) !== null).map((h) => h.segmentId);
    const crashes = events.flatMap((e) => (e.payload.kind === 'accident' ? [e.payload.segmentId] : []));
    const fixes = view.segmentsWithVerified();
    const fixedIn = await this.tasks.lockOpenOrVerifiedOn([...new Set([...crashes, ...fixes])], scope);
    const jurisdictions = await this.assignment.jurisdictionsOf([...new Set([...severe, ...crashes, ...fixes])], scope);
    // Reopened and hazard or crash tasks are urgent: no crew queue is locked.
    const locked = [...fixedIn, ...[...jurisdictions.values()].filter((j): j is string => j !== null)];
    await this.assignment.lockForRouting(locked, false, scope);
    const crews = this.assignment.crewsOfLocked(locked, scope);
    await view.prepareOpens(severe, jurisdictions);
    const outcomes: TaskIntakeOutcome[] = [];
    for (const [i, event] of events.entries()) {
      const report = event.payload;
      if (report.kind === 'accident') {
        await view.flush();
        const outcome = await this.onAccident(report, event, scope, unrecorded);
        if (outcome.kind !== 'ignored') {
          crews.forget();
          await view.changed(report.segmentId);
        }
        outcomes.push(outcome);
        continue;
      }
      if (!isNew[i]) {
        outcomes.push(hazardAlreadyHandled(report));
        continue;
      }
      unrecorded.delete(report.hazardId);
      const key = { segmentId: report.segmentId, countermeasure: countermeasureFor(report.category) };
      const open = view.openOf(key);
      const step = this.hazardStep(report, open, open ? null : view.lastVerifiedOf(key));
      if (step.kind === 'link') {
        view.link(step.task, report.hazardId);
        outcomes.push({ kind: 'linked', taskId: step.task.id });
        continue;
      }
      if (step.kind === 'ignore') {
        outcomes.push({ kind: 'ignored', why: step.why });
        continue;
      }
      if (step.kind === 'open') {
        // No task of its countermeasure is open there (the run holds the locks): opened, or refused.
        // The links collected so far wait: an open reads no hazard list and writes no other task.
        const { outcome, task } = await this.openTask(step.proposal, event, scope, undefined, { unrecorded, noneOpen: true, ...view.sightOf(report.segmentId), crews });
        // Refused: another writer opened one meanwhile; read it.
        if (task) view.opened(task);
        else await view.changed(report.segmentId);
        outcomes.push(outcome);
        continue;
      }
      await view.flush();
      await this.reopenFailedFix(step.task, step.reason, [report.hazardId], event, scope);
      crews.forget();
      await view.changed(report.segmentId);
      outcomes.push({ kind: 'reopened', taskIds: [step.task.id] });
    }
    await view.flush();
    return outcomes;
  }

  /**
   * A hazard on a segment: linked to the open task of its countermeasure; else, within the reopen
   * window after a verified task of that countermeasure, that task is reopened as a failed fix; else,
   * if it was reported before that verification (it arrived late), it is linked to the fix that
   * covered it; else a severe hazard opens a task.
   */
  private async onHazard(hazard: HazardMatched, source: Source, scope: TxScope): Promise<TaskIntakeOutcome> {
    if (!(await this.segments.insertHazardIfNew(hazardRow(hazard, source.eventId), scope))) return hazardAlreadyHandled(hazard);
    const countermeasure = countermeasureFor(hazard.category);
    const open = await this.tasks.lockOpen(hazard.segmentId, countermeasure, scope);
    const step = this.hazardStep(hazard, open, open ? null : ((await this.tasks.lockVerified(hazard.segmentId, countermeasure, scope))[0] ?? null));
    if (step.kind === 'link') {
      await this.tasks.linkHazards(step.task.id, [hazard.hazardId], scope);
      return { kind: 'linked', taskId: step.task.id };
    }
    return this.slowHazardStep(step, hazard, source, scope);
  }

  /** The hazard rule (see `onHazard`) for a new hazard, given the open task and the latest verified fix of its countermeasure on its segment. */
  private hazardStep(hazard: HazardMatched, open: TaskRecord | null, lastVerified: TaskRecord | null): HazardStep {
    if (open) return { kind: 'link', task: open };
    const reportedAt = new Date(hazard.reportedAt);
    if (lastVerified && withinReopenWindow(lastVerified.verifiedAt!, reportedAt, this.config.REOPEN_WINDOW_DAYS)) {
      const reason = `fix did not hold: ${hazard.severity} ${hazard.category.replace(/_/g, ' ')} reported ${daysBetween(lastVerified.verifiedAt!, reportedAt)} days after verification`;
      return { kind: 'reopen', task: lastVerified, reason };
    }
    // Reported before that fix was verified, and heard of only now: the fix covered it (the risk
    // service resolves it too), so it neither reopens that task nor opens another.
    if (lastVerified && lastVerified.verifiedAt! >= reportedAt) return { kind: 'link', task: lastVerified };
    const proposal = proposeFromHazard(hazard);
    return proposal ? { kind: 'open', proposal } : { kind: 'ignore', why: `${hazard.severity} hazard with no open task` };
  }

  private async slowHazardStep(step: Exclude<HazardStep, { kind: 'link' }>, hazard: HazardMatched, source: Source, scope: TxScope): Promise<TaskIntakeOutcome> {
    if (step.kind === 'ignore') return { kind: 'ignored', why: step.why };
    if (step.kind === 'reopen') {
      await this.reopenFailedFix(step.task, step.reason, [hazard.hazardId], source, scope);
      return { kind: 'reopened', taskIds: [step.task.id] };
    }
    return this.open(step.proposal, source, scope);
  }

  /**
   * A crash on a segment within the window after a verification reopens that task as a failed fix;
   * a fatal crash opens a site investigation of the road (once: the crash is recorded once by id).
   */
  private async onAccident(crash: AccidentMatched, source: Source, scope: TxScope, unrecorded: ReadonlySet<string> = NONE): Promise<TaskIntakeOutcome> {
    const occurredAt = new Date(crash.occurredAt);
    const isNew = await this.segments.insertAccidentIfNew(
      {
        accidentId: crash.accidentId,
        segmentId: crash.segmentId,
        occurredAt,
        deaths: crash.deaths,
        seriousInjuries: crash.seriousInjuries,
        slightInjuries: crash.slightInjuries,
        eventId: source.eventId,
      },
      scope,
    );
    if (!isNew) return { kind: 'ignored', why: `accident ${crash.accidentId} already handled` };
    const verified = await this.tasks.lockVerified(crash.segmentId, null, scope);
    const reopened: string[] = [];
    const seen = new Set<string>();
    for (const task of verified) {
      // The latest verification of each countermeasure is the fix in question.
      if (seen.has(task.countermeasure)) continue;
      seen.add(task.countermeasure);
      if (!withinReopenWindow(task.verifiedAt!, occurredAt, this.config.REOPEN_WINDOW_DAYS)) continue;
      if (await this.tasks.lockOpen(task.segmentId, task.countermeasure, scope)) continue;
      const reason = `fix did not hold: ${crashSeverityOf(crash)} crash ${daysBetween(task.verifiedAt!, occurredAt)} days after verification`;
      await this.reopenFailedFix(task, reason, [], source, scope);
      reopened.push(task.id);
    }
    const investigation = proposeFromFatalCrash(crash, this.config.SLA_HOURS_FATAL_INVESTIGATION);
    if (investigation) {
      const opened = await this.open(investigation, source, scope, undefined, { unrecorded });
      if (opened.kind !== 'ignored') return opened;
    }
    return reopened.length ? { kind: 'reopened', taskIds: reopened } : { kind: 'ignored', why: 'no verified fix in the reopen window' };
  }

  /**
   * A profile: kept for jurisdiction lookup and evidence checks; the segment's responsible
   * jurisdiction is recomputed (published when it is new or changed with the geometry); tasks of the
   * segment that waited for its location are routed now; the mandatory-protection rule records what
   * the segment's sides need (a survey while no one knows whether a guardrail stands there, works where
   * one is missing or damaged) for the roadside planner, which opens one task per stretch.
   */
  async onSegmentProfile(event: SegmentProfileEvent): Promise<TaskIntakeOutcome> {
    return this.run(async (scope) => {
      await this.segments.lockSegments([event.payload.segmentId], scope);
      return this.segmentProfile(event, scope);
    });
  }

  /** `onSegmentProfile` for a run of one partition's profiles (a region's import), in one transaction (all or none). */
  async onSegmentProfiles(events: readonly SegmentProfileEvent[]): Promise<TaskIntakeOutcome[]> {
    return this.runAll(async (scope) => {
      await this.segments.lockSegments(events.map((e) => e.payload.segmentId), scope);
      const outcomes: TaskIntakeOutcome[] = [];
      for (const event of events) outcomes.push(await this.segmentProfile(event, scope));
      return outcomes;
    });
  }

  private async segmentProfile(event: SegmentProfileEvent, scope: TxScope): Promise<TaskIntakeOutcome> {
    const profile = event.payload;
    if (!(await this.segments.upsertProfile(profile, event.eventId, new Date(event.occurredAt), scope))) {
      return { kind: 'ignored', why: `a newer profile of ${profile.segmentId} is stored` };
    }
    await this.segmentJurisdictions.reassignSegments([profile.segmentId], event.correlationId, scope);
    const assigned: string[] = [];
    for (const waiting of await this.tasks.lockUnassigned(profile.segmentId, scope)) {
      const routed = await this.assignment.autoAssign(waiting, event.correlationId, scope);
      if (routed.crewId) assigned.push(routed.id);
    }
    // The mandatory-protection rule records the segment's needs; the roadside planner gathers them
    // into stretches and opens one survey (or guardrail task) per stretch.
    const needs = this.config.MANDATORY_PROTECTION_ENABLED ? await this.roadside.recordNeeds(profile, scope) : [];
    return { kind: 'profile', assigned, needs: needs.map((n) => `${n.side}:${n.action}`) };
  }

  /** Opens a task for a proposal (with the segment's unresolved hazards of its countermeasure), or links to the open one. */
  private async open(
    proposal: TaskProposal,
    source: Source,
    scope: TxScope,
    risk: { riskLevel: string | null; riskScore: number | null } = { riskLevel: null, riskScore: null },
    run: RunSight = { unrecorded: NONE },
  ): Promise<TaskIntakeOutcome> {
    return (await this.openTask(proposal, source, scope, risk, run)).outcome;
  }

  /** `open`, with the task it opened (as assigned). */
  private async openTask(
    proposal: TaskProposal,
    source: Source,
    scope: TxScope,
    risk: { riskLevel: string | null; riskScore: number | null } = { riskLevel: null, riskScore: null },
    run: RunSight = { unrecorded: NONE },
  ): Promise<{ outcome: TaskIntakeOutcome; task?: TaskRecord }> {
    const hazardIds = relatedHazards(proposal, run.unresolved ?? (await this.segments.unresolvedHazards(proposal.segmentId, scope)), run.unrecorded);
    const existing = run.noneOpen ? null : await this.tasks.lockOpen(proposal.segmentId, proposal.countermeasure, scope);
    if (existing) {
      if (hazardIds.length) await this.tasks.linkHazards(existing.id, hazardIds, scope);
      return { outcome: { kind: 'linked', taskId: existing.id } };
    }
    const now = this.clock.now();
    const task: TaskRecord = {
      id: randomUUID(),
      segmentId: proposal.segmentId,
      countermeasure: proposal.countermeasure,
      side: proposal.side,
      status: 'created',
      priority: proposal.priority,
      reason: proposal.reason,
      rule: proposal.rule,
      hazardIds,
      sourceEventId: source.eventId,
      correlationId: source.correlationId,
      riskLevel: risk.riskLevel,
      riskScore: risk.riskScore,
      jurisdictionId: run.jurisdictionId !== undefined ? run.jurisdictionId : await this.assignment.jurisdictionOf(proposal.segmentId, scope),
      crewId: null,
      version: 1,
      fixFailed: false,
      duplicateOf: null,
      statusReason: null,
      reopenCount: 0,
      dueAt: dueAt(proposal.priority, now, this.sla, proposal.slaHours),
      acceptedAt: null,
      submittedAt: null,
      verifiedAt: null,
      closedAt: null,
      escalatedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const created = { actor: SYSTEM_ACTOR, correlationId: source.correlationId, reason: proposal.reason };
    // In a run that knows the crew it goes to at once, the task is written assigned, as creating and
    // then routing it would leave it; else created, then routed (its jurisdiction was looked up above).
    const release = await this.assignment.releaseOnOpen(task, run.crews);
    let assigned: TaskRecord | null = null;
    if (release) {
      const routing = { actor: SYSTEM_ACTOR, correlationId: source.correlationId, reason: release.reason, patch: { crewId: release.crew.id, acceptedAt: null } };
      assigned = await this.ledger.createAssigned(task, created, routing, scope);
    } else if (await this.ledger.create(task, created, scope)) {
      assigned = await this.assignment.autoAssign(task, source.correlationId, scope, true, run.crews);
    }
    // A concurrent writer may have opened one since the check (a programme's approval or a dispatcher's
    // reopening takes no segment lock): the unique index decides, and the hazards go to that task, as
    // to one found open.
    if (!assigned) {
      const opened = await this.tasks.lockOpen(proposal.segmentId, proposal.countermeasure, scope);
      if (!opened) return { outcome: { kind: 'ignored', why: `an open ${proposal.countermeasure} task exists on ${proposal.segmentId}` } };
      if (hazardIds.length) await this.tasks.linkHazards(opened.id, hazardIds, scope);
      return { outcome: { kind: 'linked', taskId: opened.id } };
    }
    if (release) run.crews!.gave(release.crew.id, 'released');
    this.logger.log(`task ${task.id} opened on ${task.segmentId}: ${task.countermeasure} (${task.priority}, ${task.rule})`);
    return { outcome: { kind: 'created', taskId: task.id }, task: assigned };
  }

  private async reopenFailedFix(task: TaskRecord, reason: string, hazardIds: string[], source: Source, scope: TxScope): Promise<void> {
    await this.reopener.reopen(
      task,
      { actor: SYSTEM_ACTOR, reason, fixFailed: true, hazardIds, correlationId: source.correlationId, details: { sourceEventId: source.eventId } },
      scope,
    );
    this.logger.log(`task ${task.id} reopened: ${reason}`);
  }

  /** A run's view of its tasks; the tasks the run opened and did not insert yet are inserted before it reads or writes any. */
  private viewOf(scope: TxScope): TaskRunView {
    return new TaskRunView(this.tasks, this.segments, scope, () => this.ledger.flushTasks(scope));
  }

  private async run(work: (scope: TxScope) => Promise<TaskIntakeOutcome>): Promise<TaskIntakeOutcome> {
    const outcome = await this.tx.run(work);
    if (outcome.kind !== 'ignored') this.outbox.nudge();
    return outcome;
  }

  /** A run in one transaction: one commit for the run; nothing of it kept when one event fails. */
  private async runAll(work: (scope: TxScope) => Promise<TaskIntakeOutcome[]>): Promise<TaskIntakeOutcome[]> {
    const outcomes = await this.tx.run(work);
    if (outcomes.some((o) => o.kind !== 'ignored')) this.outbox.nudge();
    return outcomes;
  }
}

/** What the hazard rule does with a new hazard. */
type HazardStep =
  | { kind: 'link'; task: TaskRecord }
  | { kind: 'reopen'; task: TaskRecord; reason: string }
  | { kind: 'open'; proposal: TaskProposal }
  | { kind: 'ignore'; why: string };

const NONE: ReadonlySet<string> = new Set();

/** What a run tells `open` (see `TaskRunView`). */
interface RunSight extends SegmentSight {
  /** The hazards the run recorded for its later events: one at a time they are not there yet. */
  unrecorded: ReadonlySet<string>;
  /** No task of the proposal's countermeasure is open on its segment (the run holds the locks and knows). */
  noneOpen?: boolean;
  /** The run's crews, for routing the task (see `RunCrews`). */
  crews?: RunCrews;
}

/** A new task's hazards: the proposal's, then the segment's unresolved ones of its countermeasure (but those not recorded yet). */
function relatedHazards(proposal: TaskProposal, unresolved: readonly { hazardId: string; category: string }[], unrecorded: ReadonlySet<string>): string[] {
  const related = unresolved
    .filter((h) => !unrecorded.has(h.hazardId) && countermeasureFor(h.category as HazardCategory) === proposal.countermeasure)
    .map((h) => h.hazardId);
  return [...new Set([...proposal.hazardIds, ...related])];
}

function hazardRow(hazard: HazardMatched, eventId: string) {
  const { hazardId, segmentId, category, severity } = hazard;
  return { hazardId, segmentId, category, severity, reportedAt: new Date(hazard.reportedAt), eventId };
}

function hazardAlreadyHandled(hazard: HazardMatched): TaskIntakeOutcome {
  return { kind: 'ignored', why: `hazard ${hazard.hazardId} already handled` };
}

function riskAlreadyApplied(event: SegmentRiskChangedV2Event): TaskIntakeOutcome {
  return { kind: 'ignored', why: `risk revision ${event.payload.revision} of ${event.payload.segmentId} already applied` };
}

function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}
