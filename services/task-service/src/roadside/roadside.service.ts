import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type SegmentProfile, roadsideInventoryChangedTopic } from '@roadloop/contracts';
import { Principal } from '@roadloop/auth';
import {
  type InventoryState,
  type ProtectionThresholds,
  type RoadsideFacts,
  type RoadSide,
  type Stretch,
  type StretchPiece,
  buildStretches,
  inventoryFromMap,
  protectionAction,
  protectionNeeds,
} from '@roadloop/geo';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig, protectionThresholdsOf, slaHoursOf } from '../config';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { OutboxRepository } from '../outbox/outbox.repository';
import { outgoingEvent } from '../outbox/outgoing-event';
import { AssignmentService } from '../tasks/assignment.service';
import { assertCrewOwns } from '../tasks/task-command.service';
import { TaskLedger } from '../tasks/task-ledger.service';
import { TaskPriority, dueAt } from '../tasks/task-rules';
import { SYSTEM_ACTOR, TaskRecord } from '../tasks/task.model';
import { TaskRepository, taskKeyOf } from '../tasks/task.repository';
import { TaskException } from '../tasks/task.exception';
import { VerifiedFixHook } from '../tasks/verified-fix-hook';
import { CoverEntry, onMembers, overlapping, sideState } from './coverage';
import { InventoryRecord, InventorySource, NeedRecord, OpenNeed, RoadsideRepository, StoredStretch } from './roadside.repository';
import { RoadsideException } from './roadside.exception';
import { InventoryRow, SurveyFindings, inventoryRowSchema } from './roadside.schema';
import { GeoJsonRow, INVENTORY_SNAP_TOLERANCE_M, NearSegment, linesOf, readInventoryFeatures, rowsOfFeature } from './inventory-geojson';

/** Stretch tasks opened per planner transaction: short enough not to hold the crews' queues for long. */
export const STRETCH_TASKS_PER_TRANSACTION = 25;

/**
 * The roadside inventory and the mandatory-protection rule built on it. A side the rule covers
 * (water within its distance: a guardrail MUST stand; cliff-side: SHOULD) needs a survey while no
 * one knows what stands there, works where a survey or an import found none or a damaged one,
 * nothing where one stands (OpenStreetMap's `barrier=guard_rail`, an import, a survey, a verified
 * fix). Needs are
 * gathered into stretches — consecutive segments of one road — and each stretch gets one task:
 * one survey of the stretch, then one guardrail task per side where the survey found it missing.
 */
@Injectable()
export class RoadsideService implements OnModuleInit, OnModuleDestroy, VerifiedFixHook {
  private readonly logger = new Logger(RoadsideService.name);
  private readonly thresholds: ProtectionThresholds;
  private readonly sla: Record<TaskPriority, number>;
  private timer: NodeJS.Timeout | null = null;
  private planning: Promise<unknown> | null = null;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly roadside: RoadsideRepository,
    private readonly tasks: TaskRepository,
    private readonly ledger: TaskLedger,
    private readonly assignment: AssignmentService,
    private readonly outboxMessages: OutboxRepository,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    @Optional() private readonly outbox?: OutboxNudge,
  ) {
    this.thresholds = protectionThresholdsOf(config);
    this.sla = slaHoursOf(config);
  }

  onModuleInit(): void {
    // Profiles arrive one segment at a time: stretches are planned a little later, over what has arrived.
    if (this.config.MANDATORY_PROTECTION_ENABLED) this.timer = setInterval(() => void this.planQuietly(), this.config.STRETCH_PLAN_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.planning;
  }

  /** The rule on one segment, in the caller's transaction: its sides' needs, replaced. */
  async recordNeeds(profile: Pick<SegmentProfile, 'segmentId' | 'roadClass'> & RoadsideFacts, scope: TxScope): Promise<NeedRecord[]> {
    const known = new Map((await this.roadside.inventory([profile.segmentId], scope)).map((r) => [r.side, r.status]));
    const needs: NeedRecord[] = [];
    for (const need of protectionNeeds(profile, this.thresholds)) {
      const state: InventoryState = known.get(need.side) ?? inventoryFromMap(profile, need.side, this.thresholds);
      const action = protectionAction(state);
      if (action === 'none') continue;
      const what = state === 'unknown' ? 'no guardrail is known there (none mapped, none surveyed)' : `the guardrail is ${state}`;
      needs.push({ segmentId: profile.segmentId, side: need.side, action, water: need.water, reason: `${need.side} side: ${need.why}; ${what}` });
    }
    await this.roadside.replaceNeeds(profile.segmentId, needs, scope);
    return needs;
  }

  /**
   * Opens one task per stretch of needs no task covers yet; returns the tasks opened. The stretches
   * are built once, from the needs open when planning starts; they are opened a few per transaction
   * (`STRETCH_TASKS_PER_TRANSACTION`), each transaction checking under the planner's lock that a
   * stretch's needs are all still open (another instance may have planned meanwhile), since a
   * region's import plans hundreds and one transaction for all of them would hold the crews' queue
   * locks long enough to stall an inspector's verification of the same crew's work.
   */
  async plan(correlationId: string = randomUUID()): Promise<string[]> {
    const stretches = buildStretches(piecesOf(await this.roadside.openNeeds()), { maxLengthM: this.config.STRETCH_MAX_LENGTH_M });
    const opened: string[] = [];
    for (let from = 0; from < stretches.length; from += STRETCH_TASKS_PER_TRANSACTION) {
      const ids = await this.tx.run(async (scope) => {
        await this.roadside.lockPlanner(scope);
        const needs = await this.roadside.openNeeds(scope);
        const open = new Set(needs.map((n) => needKey(n.action === 'survey' ? 'survey' : 'guardrail', n.segmentId, n.side)));
        const batch = stretches.slice(from, from + STRETCH_TASKS_PER_TRANSACTION).filter((stretch) => stretch.members.every((m) => open.has(needKey(stretch.need, m.segmentId, m.side))));
        // A stretch's task is anchored on its first member without an open task of its countermeasure
        // (one per segment); a stretch with none opens nothing this round and takes no lock.
        const keyOfMember = (stretch: Stretch, m: Stretch['members'][number]) => ({ segmentId: m.segmentId, countermeasure: countermeasureOf(stretch) });
        const taken = await this.tasks.openKeys(batch.flatMap((stretch) => stretch.members.map((m) => keyOfMember(stretch, m))), scope);
        const anchors = new Map(batch.map((stretch) => [stretch, stretch.members.filter((m) => !taken.has(taskKeyOf(keyOfMember(stretch, m))))]));
        // The anchors' locks first, all at once, in the intake's order (see `AssignmentService.lockToOpen`).
        const places = await this.assignment.lockToOpen([...anchors.values()].flatMap((members) => members.map((m) => m.segmentId)), scope);
        const done: string[] = [];
        for (const [stretch, members] of anchors) {
          if (!members.length) continue;
          const id = await this.openStretchTask(stretch, members, places, needs, correlationId, scope);
          if (id) done.push(id);
        }
        return done;
      });
      opened.push(...ids);
      if (ids.length) this.outbox?.nudge();
    }
    if (opened.length) this.logger.log(`opened ${opened.length} stretch task(s)`);
    return opened;
  }

  /**
   * The timer's planning: only once the needs have settled for an interval, so that stretches are
   * built from a whole import rather than from the part of it that arrived so far.
   */
  private async planQuietly(): Promise<void> {
    if (this.planning) return;
    this.planning = this.roadside
      .needsChangedWithin(this.config.STRETCH_PLAN_INTERVAL_MS)
      .then((busy) => (busy ? [] : this.plan()))
      .catch((err: Error) => this.logger.warn(`stretch planning failed: ${err.message}`));
    await this.planning;
    this.planning = null;
  }

  /**
   * Opens the stretch's task on the first of `anchors` (its members that may anchor it) where none is
   * open yet; `places`: the anchors' jurisdictions, whose routing locks the round holds.
   */
  private async openStretchTask(
    stretch: Stretch,
    anchors: readonly Stretch['members'][number][],
    places: ReadonlyMap<string, string | null>,
    needs: readonly OpenNeed[],
    correlationId: string,
    scope: TxScope,
  ): Promise<string | null> {
    const survey = stretch.need === 'survey';
    const memberNeeds = stretch.members.flatMap((m) => needs.filter((n) => n.segmentId === m.segmentId && (survey || n.side === m.side)));
    const water = memberNeeds.some((n) => n.water);
    const priority: TaskPriority = water ? 'p2' : 'p3';
    const km = (stretch.lengthM / 1000).toFixed(2);
    const road = stretch.roadKey;
    const waterSides = new Set(memberNeeds.filter((n) => n.water).map((n) => n.segmentId)).size;
    const why = `${waterSides ? `water within ${this.thresholds.guardrailWaterMaxM} m on ${waterSides} segment(s) (guardrail must be set)` : 'drop-off or cliff (guardrail should be set)'}`;
    const reason = survey
      ? `mandatory protection: survey the roadside of ${km} km of ${road} (${stretch.members.length} segments): ${why}; no guardrail is known there — record per side present, absent or damaged`
      : `mandatory protection: guardrail, ${stretch.side} side, ${km} km of ${road} (${stretch.members.length} segments): ${why}; the survey or import found it ${[...new Set(memberNeeds.map((n) => (n.reason.includes('damaged') ? 'damaged' : 'absent')))].join(' or ')}`;
    const now = this.clock.now();
    const sourceEventId = randomUUID();
    for (const anchor of anchors) {
      const task: TaskRecord = {
        id: randomUUID(),
        segmentId: anchor.segmentId,
        countermeasure: countermeasureOf(stretch),
        side: survey ? null : stretch.side === 'both' ? 'both' : stretch.side,
        status: 'created',
        priority,
        reason,
        rule: 'mandatory_protection',
        hazardIds: [],
        sourceEventId,
        correlationId,
        riskLevel: null,
        riskScore: null,
        jurisdictionId: places.get(anchor.segmentId) ?? null,
        crewId: null,
        version: 1,
        fixFailed: false,
        duplicateOf: null,
        statusReason: null,
        reopenCount: 0,
        dueAt: dueAt(priority, now, this.sla),
        acceptedAt: null,
        submittedAt: null,
        verifiedAt: null,
        closedAt: null,
        escalatedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      // An open task of the same countermeasure on the anchor segment (one per segment): try the next member.
      if (!(await this.ledger.create(task, { actor: SYSTEM_ACTOR, correlationId, reason }, scope))) continue;
      await this.roadside.insertStretch(task.id, stretch, scope);
      await this.assignment.autoAssign(task, correlationId, scope);
      return task.id;
    }
    return null;
  }

  /** The stretch a task covers (its members and geometry), for whoever may see the task. */
  async stretch(taskId: string, principal: Principal): Promise<StoredStretch> {
    const task = await this.tasks.find(taskId);
    if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${taskId}`);
    assertCrewOwns(principal, task);
    const stretch = await this.roadside.stretchOf(taskId);
    if (!stretch) throw new RoadsideException('STRETCH_NOT_FOUND', `task ${taskId} covers one segment, not a stretch`);
    return stretch;
  }

  /**
   * A crew's findings on its survey: each side's guardrail, present, absent or damaged, from where to
   * where along the stretch. The inventory of the members is updated (source: crew field survey), their
   * needs recomputed, and works stretches opened where a guardrail is missing or damaged.
   */
  async recordSurvey(taskId: string, principal: Principal, input: SurveyFindings): Promise<{ inventory: InventoryRecord[]; opened: string[] }> {
    const correlationId = randomUUID();
    const inventory = await this.tx.run(async (scope) => {
      const task = await this.tasks.lock(taskId, scope);
      if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${taskId}`);
      assertCrewOwns(principal, task);
      if (task.countermeasure !== 'roadside_survey') throw new RoadsideException('NOT_A_SURVEY', `task ${taskId} is ${task.countermeasure}, not a roadside survey`);
      if (!['accepted', 'in_progress', 'rejected'].includes(task.status)) {
        throw new RoadsideException('SURVEY_NOT_STARTED', `findings are recorded on an accepted or started survey; task ${taskId} is ${task.status}`);
      }
      const stretch = await this.roadside.stretchOf(taskId, scope);
      if (!stretch) throw new RoadsideException('STRETCH_NOT_FOUND', `task ${taskId} has no stretch`);
      const problems = findingProblems(input.findings, stretch.lengthM);
      if (problems.length) throw new RoadsideException('SURVEY_FINDINGS_INVALID', `${problems.length} finding(s) refused: ${problems[0].message}`, problems);
      const entries = new Map<string, CoverEntry[]>();
      for (const f of input.findings) {
        for (const part of onMembers(f, stretch.members)) {
          const key = `${part.segmentId}:${part.side}`;
          entries.set(key, [...(entries.get(key) ?? []), { fromM: part.fromM, toM: part.toM, status: f.status }]);
        }
      }
      const lengths = new Map(stretch.members.map((m) => [m.segmentId, m.lengthM]));
      const observedAt = input.observedAt ? new Date(input.observedAt) : this.clock.now();
      const records = this.records(entries, lengths, 'crew_survey', observedAt, principal.id, taskId);
      return this.apply(records, scope);
    });
    const opened = await this.plan(correlationId);
    return { inventory, opened };
  }

  /**
   * Imports surveyed guardrails (an admin's file): every row is checked first — an unknown segment,
   * offsets beyond the segment, entries of one side that overlap — and a single bad row refuses the
   * whole import (400 naming each row); else all rows are applied in one transaction.
   */
  async importInventory(
    rawRows: readonly unknown[],
    actor: string,
    origin: RowOrigin = { field: (n) => `rows.${n}`, label: (n) => `row ${n}` },
  ): Promise<{ rows: number; sides: number; opened: string[] }> {
    const { field, label } = origin;
    const problems: { field: string; message: string }[] = [];
    const rows: (InventoryRow & { n: number })[] = [];
    rawRows.forEach((raw, i) => {
      const parsed = inventoryRowSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push({ field: `${field(i + 1)}.${issue.path.join('.')}`, message: `${label(i + 1)}: ${issue.message}` });
      } else rows.push({ ...parsed.data, n: i + 1 });
    });
    const lengths = await this.roadside.segmentLengths([...new Set(rows.map((r) => r.segmentId))]);
    for (const r of rows) {
      const length = lengths.get(r.segmentId);
      if (length === undefined) problems.push({ field: `${field(r.n)}.segmentId`, message: `${label(r.n)}: no segment ${r.segmentId}` });
      else if (r.fromM >= r.toM) problems.push({ field: `${field(r.n)}.toM`, message: `${label(r.n)}: toM ${r.toM} is not beyond fromM ${r.fromM}` });
      else if (r.toM > length + 1) problems.push({ field: `${field(r.n)}.toM`, message: `${label(r.n)}: toM ${r.toM} lies beyond the end of ${r.segmentId} (${Math.round(length * 10) / 10} m)` });
    }
    const bySide = new Map<string, (InventoryRow & { n: number })[]>();
    for (const r of rows) bySide.set(`${r.segmentId}:${r.side}`, [...(bySide.get(`${r.segmentId}:${r.side}`) ?? []), r]);
    for (const list of bySide.values()) {
      for (const [i, j] of overlapping(list)) {
        problems.push({ field: field(list[j].n), message: `${label(list[j].n)}: overlaps ${label(list[i].n)} on the ${list[i].side} side of ${list[i].segmentId}` });
      }
    }
    if (problems.length) throw new RoadsideException('INVENTORY_ROWS_INVALID', `${problems.length} problem(s), nothing imported: ${problems[0].message}`, problems);
    const correlationId = randomUUID();
    const applied = await this.tx.run(async (scope) => {
      const entries = new Map<string, CoverEntry[]>();
      for (const [key, list] of bySide) entries.set(key, list.map((r) => ({ fromM: r.fromM, toM: r.toM, status: r.status })));
      const observed = rows.map((r) => (r.observedAt ? new Date(r.observedAt).getTime() : this.clock.now().getTime()));
      return this.apply(this.records(entries, lengths, 'import', new Date(Math.max(...observed)), actor, null), scope);
    });
    const opened = await this.plan(correlationId);
    return { rows: rows.length, sides: applied.length, opened };
  }

  /**
   * Imports surveyed guardrails drawn as lines (a GeoJSON FeatureCollection of LineString or
   * MultiLineString features, properties status, optionally side, observedAt and source): each line is
   * snapped to the segments it runs along within INVENTORY_SNAP_TOLERANCE_M and becomes rows of the
   * ordinary import, checked all or nothing; every problem names its feature (`features.<i>`).
   */
  async importGeoJson(features: readonly unknown[], actor: string): Promise<{ rows: number; sides: number; opened: string[] }> {
    if (!features.length) throw new RoadsideException('INVENTORY_ROWS_INVALID', 'no features, nothing imported', [{ field: 'features', message: 'at least one feature is needed' }]);
    const read = readInventoryFeatures(features);
    if (read.problems.length) throw new RoadsideException('INVENTORY_ROWS_INVALID', `${read.problems.length} problem(s), nothing imported: ${read.problems[0].message}`, read.problems);
    const problems: { field: string; message: string }[] = [];
    const rows: GeoJsonRow[] = [];
    const featureOfRow: number[] = [];
    for (const [i, feature] of read.features.entries()) {
      const near = new Map<string, NearSegment>();
      for (const l of linesOf(feature)) for (const s of await this.roadside.segmentsNear(l, INVENTORY_SNAP_TOLERANCE_M)) near.set(s.segmentId, s);
      const snapped = rowsOfFeature(feature, [...near.values()]);
      if ('problem' in snapped) problems.push({ field: `features.${i}`, message: `feature ${i}: ${snapped.problem}` });
      else for (const r of snapped.rows) (rows.push(r), featureOfRow.push(i));
    }
    if (problems.length) throw new RoadsideException('INVENTORY_ROWS_INVALID', `${problems.length} problem(s), nothing imported: ${problems[0].message}`, problems);
    const feature = (n: number) => featureOfRow[n - 1];
    return this.importInventory(rows, actor, { field: (n) => `features.${feature(n)}`, label: (n) => `feature ${feature(n)} (on ${rows[n - 1].segmentId})` });
  }

  private records(entries: Map<string, CoverEntry[]>, lengths: Map<string, number>, source: InventorySource, observedAt: Date, by: string, taskId: string | null): InventoryRecord[] {
    return [...entries].map(([key, list]) => {
      const [segmentId, side] = splitKey(key);
      const state = sideState(list, lengths.get(segmentId) ?? 0, this.thresholds.minGuardrailShare);
      return { segmentId, side, status: state.status, source, observedAt, fromM: state.fromM, toM: state.toM, taskId, recordedBy: by };
    });
  }

  /**
   * Stores inventory records and recomputes the needs of their segments; one
   * `roadside.inventory-changed` event per segment goes out through the outbox, in the same
   * transaction, so that the risk service re-scores the segment with its sides as now known.
   */
  private async apply(records: InventoryRecord[], scope: TxScope): Promise<InventoryRecord[]> {
    await this.roadside.upsertInventory(records, scope);
    const bySegment = new Map<string, InventoryRecord[]>();
    for (const r of records) bySegment.set(r.segmentId, [...(bySegment.get(r.segmentId) ?? []), r]);
    const occurredAt = this.clock.now();
    const correlationId = randomUUID();
    await this.outboxMessages.addMany(
      [...bySegment].map(([segmentId, sides]) =>
        outgoingEvent(
          roadsideInventoryChangedTopic,
          this.config.KAFKA_TOPIC_PREFIX,
          { segmentId, sides: [...sides].sort((a, b) => a.side.localeCompare(b.side)).map((s) => ({ side: s.side, status: s.status, source: s.source, observedAt: s.observedAt.toISOString() })) },
          { occurredAt, correlationId },
        ),
      ),
      scope,
    );
    for (const p of await this.roadside.profiles([...new Set(records.map((r) => r.segmentId))], scope)) {
      await this.recordNeeds({ ...(p.profile as unknown as RoadsideFacts), segmentId: p.segmentId, roadClass: p.roadClass }, scope);
    }
    return records;
  }

  /**
   * A verified guardrail stands along its whole stretch: each member's side is recorded present
   * (source: verified fix), so that the risk service, which re-scores only the task's own segment on
   * the task's event, re-scores every member from its inventory announcement.
   */
  async onVerified(task: TaskRecord, scope: TxScope): Promise<void> {
    if (task.countermeasure !== 'guardrail' || !task.verifiedAt) return;
    const stretch = await this.roadside.stretchOf(task.id, scope);
    if (!stretch) return;
    const records: InventoryRecord[] = stretch.members.flatMap((m) => {
      // The member's own side: a member that runs against the stretch has the stretch's side flipped.
      const sides: RoadSide[] = m.side === 'left' || m.side === 'right' ? [m.side] : ['left', 'right'];
      return sides.map((s) => ({
        segmentId: m.segmentId, side: s, status: 'present' as const, source: 'verified_fix' as const,
        observedAt: task.verifiedAt!, fromM: 0, toM: m.lengthM, taskId: task.id, recordedBy: SYSTEM_ACTOR.id,
      }));
    });
    await this.apply(records, scope);
  }

  inventoryOf(segmentId: string): Promise<InventoryRecord[]> {
    return this.roadside.inventory([segmentId]);
  }
}

/** How the rows of an import are named in its errors: JSON and CSV rows by number, GeoJSON rows by their feature. */
export interface RowOrigin {
  field: (n: number) => string;
  label: (n: number) => string;
}

function findingProblems(findings: SurveyFindings['findings'], lengthM: number): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  findings.forEach((f, i) => {
    if (f.fromM >= f.toM) problems.push({ field: `findings.${i}.toM`, message: `finding ${i}: toM ${f.toM} is not beyond fromM ${f.fromM}` });
    else if (f.toM > lengthM + 1) problems.push({ field: `findings.${i}.toM`, message: `finding ${i}: toM ${f.toM} lies beyond the stretch's end (${lengthM} m)` });
  });
  for (const side of ['left', 'right'] as const) {
    const list = findings.map((f, i) => ({ ...f, i })).filter((f) => f.side === side);
    for (const [a, b] of overlapping(list)) problems.push({ field: `findings.${list[b].i}`, message: `finding ${list[b].i} overlaps finding ${list[a].i} on the ${side} side` });
  }
  return problems;
}

/** One road for stretches: the segment's name, else its OSM way (from the id `w<way>-<index>`). */
export function roadKeyOf(n: Pick<OpenNeed, 'name' | 'segmentId'>): string {
  return n.name ?? /^(w\d+)-\d+$/.exec(n.segmentId)?.[1] ?? n.segmentId;
}

function splitKey(key: string): [string, RoadSide] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), key.slice(at + 1) as RoadSide];
}

/** The pieces stretches are built of: a survey per segment (both sides), works per side. */
function piecesOf(needs: readonly OpenNeed[]): StretchPiece[] {
  const pieces: StretchPiece[] = [];
  let last: string | null = null;
  for (const n of needs) {
    const base = { segmentId: n.segmentId, roadKey: roadKeyOf(n), lengthM: n.lengthM, coordinates: n.coordinates };
    // A survey looks at both sides of its stretch; works are per side.
    if (n.action === 'survey' && last !== n.segmentId) pieces.push({ ...base, need: 'survey', side: 'both' });
    if (n.action === 'works') pieces.push({ ...base, need: 'guardrail', side: n.side });
    if (n.action === 'survey') last = n.segmentId;
  }
  return pieces;
}

/** A need as a stretch member names it: a survey by its segment, works by segment and side. */
function needKey(need: string, segmentId: string, side: string): string {
  return need === 'survey' ? `survey\u0000${segmentId}` : `${need}\u0000${segmentId}\u0000${side}`;
}

/** The countermeasure of a stretch's task: a survey of its roadside, or guardrail works. */
function countermeasureOf(stretch: Pick<Stretch, 'need'>): 'roadside_survey' | 'guardrail' {
  return stretch.need === 'survey' ? 'roadside_survey' : 'guardrail';
}
