import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '@roadloop/auth';
import { type ProtectionThresholds, type Stretch, planProgramme } from '@roadloop/geo';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig, protectionThresholdsOf, slaHoursOf } from '../config';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { RoadsideRepository } from '../roadside/roadside.repository';
import { roadKeyOf } from '../roadside/roadside.service';
import { AssignmentService } from '../tasks/assignment.service';
import { ChangeContext, TaskLedger } from '../tasks/task-ledger.service';
import { TaskPriority, dueAt } from '../tasks/task-rules';
import { TaskRecord } from '../tasks/task.model';
import { ProgrammeException } from './programme.exception';
import { ProgrammeItem, ProgrammeRecord, ProgrammeRepository } from './programme.repository';
import { CreateProgramme } from './programme.schema';

export interface ProgrammeView extends ProgrammeRecord {
  items: ProgrammeItem[];
}

/** A programme in the list: its totals and state, and how many items it has. */
export type ProgrammeListEntry = Omit<ProgrammeRecord, 'summary'> & { itemCount: number };

export interface Approval {
  programme: ProgrammeRecord;
  /** Items and the works task each became; null where an open task of that countermeasure already stands on every member. */
  tasks: { itemNo: number; taskId: string | null; status: TaskRecord['status'] | null; crewId: string | null }[];
}

/**
 * Budgeted programmes (iRAP SRIP, HSM Part B) in the service: a draft is computed by the programme
 * core (`@roadloop/geo`, the HiGHS MILP solver) from the segments, roadside inventory and open
 * rockfall the service knows, and stored with its items. A dispatcher or admin approves it: each
 * item becomes one works task carrying its stretch (`GET /v1/tasks/{id}/stretch`), given to the
 * crew of its place through the capacity queue — so the year's works are released as crews free
 * up, best benefit–cost first, and no crew holds more than its capacity.
 */
@Injectable()
export class ProgrammeService {
  private readonly logger = new Logger(ProgrammeService.name);
  private readonly protection: ProtectionThresholds;
  private readonly sla: Record<TaskPriority, number>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly programmes: ProgrammeRepository,
    private readonly roadside: RoadsideRepository,
    private readonly ledger: TaskLedger,
    private readonly assignment: AssignmentService,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    @Optional() private readonly outbox?: OutboxNudge,
  ) {
    this.protection = protectionThresholdsOf(config);
    this.sla = slaHoursOf(config);
  }

  /** Computes and stores a draft programme for a budget and a year. */
  async draft(input: CreateProgramme, principal: Principal): Promise<ProgrammeView> {
    const segments = (await this.programmes.segments()).map(({ name, ...s }) => ({ ...s, roadKey: roadKeyOf({ name, segmentId: s.segmentId }) }));
    const plan = await planProgramme(segments, {
      budget: input.budget,
      year: input.year,
      unknownAs: 'survey',
      inventory: await this.programmes.inventory(),
      protection: this.protection,
      stretches: { maxLengthM: this.config.STRETCH_MAX_LENGTH_M },
      now: this.clock.now(),
    });
    const record: ProgrammeRecord = {
      id: randomUUID(),
      year: input.year,
      budget: input.budget,
      currency: plan.currency,
      status: 'draft',
      cost: plan.optimum.cost,
      fsiPrevented: plan.optimum.fsiPrevented,
      summary: {
        solverStatus: plan.optimum.status,
        candidates: plan.candidates.length,
        greedy: { cost: plan.greedy.cost, fsiPrevented: plan.greedy.fsiPrevented, items: plan.greedy.ids.length },
        naive: { cost: plan.naive.cost, fsiPrevented: plan.naive.fsiPrevented, items: plan.naive.ids.length },
        toSurvey: { stretches: plan.toSurvey.length, km: Math.round(plan.toSurvey.reduce((s, t) => s + t.lengthM, 0)) / 1000 },
        costPerFsi: Math.round(plan.costPerFsi),
        unknownInventoryAs: plan.unknownAs,
      },
      createdBy: principal.id,
      createdAt: this.clock.now(),
      approvedBy: null,
      approvedAt: null,
    };
    const items: ProgrammeItem[] = plan.chosen.map((c, i) => ({
      itemNo: i + 1,
      stretchId: c.stretch.id,
      roadKey: c.stretch.roadKey,
      side: c.stretch.side,
      need: c.treats,
      countermeasure: c.countermeasure,
      lengthM: c.stretch.lengthM,
      cost: c.cost,
      fsiPrevented: c.fsiPrevented,
      bcr: c.bcr,
      serviceLifeYears: c.serviceLifeYears,
      members: c.stretch.members,
      geometry: { type: 'MultiLineString', coordinates: c.stretch.lines as [number, number][][] },
      taskId: null,
    }));
    await this.tx.run((scope) => this.programmes.insert(record, items, scope));
    this.logger.log(`programme ${record.id} for ${input.year}: ${items.length} item(s), ${record.cost} of ${input.budget} ${plan.currency}`);
    return { ...record, items };
  }

  /** The stored programmes, newest first: each one's totals and state, without its items. */
  async list(limit: number): Promise<{ items: ProgrammeListEntry[] }> {
    return { items: (await this.programmes.list(limit)).map(({ summary: _summary, ...p }) => p) };
  }

  async find(id: string): Promise<ProgrammeView> {
    const programme = await this.programmes.find(id);
    if (!programme) throw new ProgrammeException('PROGRAMME_NOT_FOUND', `no programme with id ${id}`);
    return { ...programme, items: await this.programmes.items(id) };
  }

  /**
   * Approves a draft: each item becomes a works task on its stretch (rule `programme`), placed with
   * the crew of its place through the capacity queue. Items are created in benefit–cost order, a
   * millisecond apart, so that a crew's queue releases the best value first.
   */
  async approve(id: string, principal: Principal): Promise<Approval> {
    const correlationId = randomUUID();
    const result = await this.tx.run(async (scope) => {
      const programme = await this.programmes.find(id, scope);
      if (!programme) throw new ProgrammeException('PROGRAMME_NOT_FOUND', `no programme with id ${id}`);
      if (programme.status !== 'draft') throw new ProgrammeException('PROGRAMME_ALREADY_APPROVED', `programme ${id} was approved at ${programme.approvedAt?.toISOString()} by ${programme.approvedBy}`);
      const items = [...(await this.programmes.items(id, scope))].sort((a, b) => b.bcr - a.bcr || a.itemNo - b.itemNo);
      // Every member may anchor its item's task: their routing locks first, in the intake's order. Not
      // their segments' locks: a programme's items may span more segments than one transaction
      // should hold locks for (a report handled alone on one of them meanwhile is a rare circle,
      // which the database breaks).
      const places = await this.assignment.lockToOpen(items.flatMap((item) => item.members.map((m) => m.segmentId)), scope, { segmentLocks: false });
      const now = this.clock.now();
      const itemTasks = new Map<number, string>();
      const tasks: Approval['tasks'] = [];
      for (const [order, item] of items.entries()) {
        const task = await this.openItemTask(programme, item, places, new Date(now.getTime() + order), { actor: { role: principal.role, id: principal.id }, correlationId }, scope);
        if (task) itemTasks.set(item.itemNo, task.id);
        tasks.push({ itemNo: item.itemNo, taskId: task?.id ?? null, status: task?.status ?? null, crewId: task?.crewId ?? null });
      }
      await this.programmes.approve(id, principal.id, now, itemTasks, scope);
      return { programme: { ...programme, status: 'approved' as const, approvedBy: principal.id, approvedAt: now }, tasks: tasks.sort((a, b) => a.itemNo - b.itemNo) };
    });
    this.outbox?.nudge();
    return result;
  }

  private async openItemTask(
    programme: ProgrammeRecord,
    item: ProgrammeItem,
    /** The members' jurisdictions, whose routing locks the approval holds. */
    places: ReadonlyMap<string, string | null>,
    at: Date,
    ctx: Pick<ChangeContext, 'actor' | 'correlationId'>,
    scope: TxScope,
  ): Promise<TaskRecord | null> {
    const { correlationId } = ctx;
    const priority: TaskPriority = 'p3';
    const km = (item.lengthM / 1000).toFixed(2);
    const sideText = item.side === 'both' ? '' : `, ${item.side} side`;
    const reason =
      `programme ${programme.year}: ${item.countermeasure.replace(/_/g, ' ')}${sideText}, ${km} km of ${item.roadKey} (${item.members.length} segments): ` +
      `prevents ${item.fsiPrevented.toFixed(3)} fatal and serious crashes over ${item.serviceLifeYears} years for ${Math.round(item.cost)} ${programme.currency} ` +
      `(benefit–cost ratio ${item.bcr.toFixed(2)}); item ${item.itemNo} of programme ${programme.id}`;
    const sourceEventId = randomUUID();
    for (const anchor of item.members) {
      const task: TaskRecord = {
        id: randomUUID(),
        segmentId: anchor.segmentId,
        countermeasure: item.countermeasure,
        side: item.countermeasure === 'guardrail' ? item.side : null,
        status: 'created',
        priority,
        reason,
        rule: 'programme',
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
        dueAt: dueAt(priority, at, this.sla),
        acceptedAt: null,
        submittedAt: null,
        verifiedAt: null,
        closedAt: null,
        escalatedAt: null,
        createdAt: at,
        updatedAt: at,
      };
      // One open task per segment and countermeasure: an open one on this member, try the next.
      if (!(await this.ledger.create(task, { ...ctx, reason }, scope))) continue;
      const stretch: Stretch = { id: item.stretchId, roadKey: item.roadKey, need: item.need, side: item.side, lengthM: item.lengthM, members: item.members, lines: item.geometry.coordinates };
      await this.roadside.insertStretch(task.id, stretch, scope);
      return this.assignment.autoAssign(task, correlationId, scope);
    }
    return null;
  }
}
