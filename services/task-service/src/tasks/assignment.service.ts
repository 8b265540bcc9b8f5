import { Inject, Injectable } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { TASK_CONFIG, TaskConfig } from '../config';
import { CrewQueue } from '../crews/crew-queue.service';
import { workClassOf } from '../crews/work-class';
import { CrewRecord, JurisdictionRepository, byLoad } from '../jurisdictions/jurisdiction.repository';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { TaskLedger } from './task-ledger.service';
import { TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

/**
 * Routing (Open311: location → responsible body by area polygon, as stored for the segment → its
 * crews), inside the caller's transaction.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly tasks: TaskRepository,
    private readonly ledger: TaskLedger,
    private readonly crewQueue: CrewQueue,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    private readonly segments: SegmentRefRepository,
  ) {}

  /** The jurisdiction of a segment (null while its geometry or no polygon is known). */
  jurisdictionOf(segmentId: string, scope: TxScope): Promise<string | null> {
    return this.jurisdictions.forSegment(segmentId, scope);
  }

  /**
   * Takes the locks that routing tasks in these jurisdictions takes (see `autoAssign`), all at once
   * and in one order; with `notUrgent`, also those of their crews' queues (and of the default crew's).
   */
  lockForRouting(jurisdictionIds: readonly string[], notUrgent: boolean, scope: TxScope): Promise<void> {
    return this.jurisdictions.lockForRouting(jurisdictionIds, notUrgent, this.config.DEFAULT_CREW_ID ? [this.config.DEFAULT_CREW_ID] : [], scope);
  }

  /**
   * For a transaction that opens several tasks on these segments one after another and routes each
   * (the stretch planner, a programme's approval): takes, before it inserts any, the locks a run
   * of the intake takes, in the same order: the segments' locks (unless `segmentLocks` is false),
   * then the routing locks of their jurisdictions with their crews' queues (see `lockForRouting`).
   * Taken one per task as each was routed, a jurisdiction's lock held for one task while the next
   * task's was awaited closed circles with runs, which take them all at once in key order: the
   * database aborted one of the two (a run then handled one report at a time, or a plan was given up
   * until the next). The segments' locks also keep out a report handled alone (which inserts its
   * task before it routes it) on the same segment meanwhile. Returns the segments' jurisdictions as
   * read before the wait, the ones locked: the tasks take theirs from it, so that one re-placed by an
   * import of areas meanwhile is not routed in a jurisdiction whose lock was not taken.
   */
  async lockToOpen(segmentIds: readonly string[], scope: TxScope, { segmentLocks = true }: { segmentLocks?: boolean } = {}): Promise<Map<string, string | null>> {
    if (!segmentIds.length) return new Map();
    if (segmentLocks) await this.segments.lockSegments(segmentIds, scope);
    const jurisdictions = await this.jurisdictions.forSegments(segmentIds, scope);
    const locked = [...new Set(jurisdictions.values())].filter((j): j is string => j !== null);
    await this.lockForRouting(locked, true, scope);
    return jurisdictions;
  }

  /**
   * The crews of jurisdictions whose routing locks the caller took with `lockForRouting` in this
   * transaction, for `autoAssign` to route a run's tasks with (see `RunCrews`).
   */
  crewsOfLocked(jurisdictionIds: readonly string[], scope: TxScope): RunCrews {
    const fallback = this.config.DEFAULT_CREW_ID;
    // The crews' open tasks are counted: the tasks the run opened and did not insert yet are inserted
    // first. The default crew's count decides nothing here (see `RunCrews.defaultCrew`).
    return new RunCrews(
      jurisdictionIds,
      async (ids) => {
        await this.ledger.flushTasks(scope);
        return this.jurisdictions.crewsOf(ids, scope);
      },
      () => (fallback ? this.jurisdictions.findCrew(fallback, scope) : Promise.resolve(null)),
    );
  }

  /** `jurisdictionOf` for many segments with one query. */
  jurisdictionsOf(segmentIds: readonly string[], scope: TxScope): Promise<Map<string, string | null>> {
    return this.jurisdictions.forSegments(segmentIds, scope);
  }

  /**
   * Gives an unassigned task (created or reopened) to the crew of its jurisdiction with the fewest
   * open tasks (ties by crew id); the jurisdiction is looked up when the task has none yet. A task
   * outside every jurisdiction, or in one without a crew, goes to the region's default crew
   * (`DEFAULT_CREW_ID`) when there is one. The crew gets it at once or in its queue (crew capacity).
   * Without any crew the task stays unassigned, visible to dispatchers. `jurisdictionLookedUp`: the
   * caller has just looked up the task's jurisdiction (none), so it is not looked up again.
   * `crews`: the run's crews, which answer for the jurisdictions the run locked instead of a count of
   * each crew's tasks per task, and are told of the task given.
   */
  async autoAssign(task: TaskRecord, correlationId: string, scope: TxScope, jurisdictionLookedUp = false, crews?: RunCrews): Promise<TaskRecord> {
    if (task.crewId !== null || (task.status !== 'created' && task.status !== 'reopened')) return task;
    let current = task;
    if (current.jurisdictionId === null && !jurisdictionLookedUp) {
      const jurisdictionId = await this.jurisdictions.forSegment(task.segmentId, scope);
      if (jurisdictionId) {
        await this.tasks.setJurisdiction(task.id, jurisdictionId, scope);
        current = { ...current, jurisdictionId };
      }
    }
    let crew: CrewRecord | null = null;
    if (current.jurisdictionId) {
      const known = crews ? await crews.leastLoaded(current.jurisdictionId) : undefined;
      crew = known !== undefined ? known : await this.jurisdictions.leastLoadedCrew(current.jurisdictionId, scope);
    }
    let reason = crew ? leastLoadedReason(current.jurisdictionId!, crew) : '';
    if (!crew && this.config.DEFAULT_CREW_ID) {
      crew = await this.jurisdictions.findCrew(this.config.DEFAULT_CREW_ID, scope);
      reason = defaultCrewReason(current.jurisdictionId);
    }
    if (!crew) return current;
    const placed = await this.crewQueue.place(current, crew, reason, this.ledger, correlationId, scope);
    crews?.gave(crew.id, placed.outcome);
    return placed.task;
  }

  /**
   * For a task about to be opened in a run: the crew `autoAssign` would release it to at once, with
   * the reason, when the run knows it, so that the task is inserted assigned
   * (`TaskLedger.createAssigned`). That is urgent work in a jurisdiction the run locked: its crew with
   * the fewest open tasks, or the region's default crew when the jurisdiction has none; and urgent
   * work outside every jurisdiction: the default crew (urgent work skips the crews' queues, so no
   * count decides it). Null when routing it takes more (a crew's queue, a jurisdiction the run did
   * not lock, no crew at all): `autoAssign` after creating it.
   */
  async releaseOnOpen(task: TaskRecord, crews?: RunCrews): Promise<{ crew: CrewRecord; reason: string } | null> {
    if (!crews || task.crewId !== null || task.status !== 'created' || workClassOf(task) !== 'urgent') return null;
    if (task.jurisdictionId !== null) {
      const crew = await crews.leastLoaded(task.jurisdictionId);
      if (crew === undefined) return null;
      if (crew) return { crew, reason: leastLoadedReason(task.jurisdictionId, crew) };
    }
    const fallback = await crews.defaultCrew();
    return fallback ? { crew: fallback, reason: defaultCrewReason(task.jurisdictionId) } : null;
  }

  /** Releases a crew's queued work while it has room (after its capacity changed). */
  releaseQueued(crewId: string, correlationId: string, scope: TxScope): Promise<TaskRecord[]> {
    return this.crewQueue.releaseNext(crewId, this.ledger, correlationId, scope);
  }
}

function defaultCrewReason(jurisdictionId: string | null): string {
  return `automatic: the region's default crew (${jurisdictionId ? `${jurisdictionId} has no crew` : 'the segment lies outside every jurisdiction'})`;
}

function leastLoadedReason(jurisdictionId: string, crew: CrewRecord): string {
  return `automatic: the crew of ${jurisdictionId} with the fewest open tasks (${crew.openTasks})`;
}

/**
 * A run's crews: those of the jurisdictions whose routing locks the run holds, with their open tasks,
 * read with one query when first needed and counted on as the run gives them tasks. Opening n tasks
 * then picks each crew as n look-ups of `leastLoadedCrew` would, without counting every crew's tasks
 * n times: the locks keep other transactions' automatic routing out meanwhile. A dispatcher's command
 * (an assignment, a close) or a new crew committed while the run goes on is not seen until the next
 * run, as if it had committed after this one. Whatever else in the run may give a crew a task (a
 * reopened fix, a crash) makes the run `forget` them: they are read again when next needed.
 */
export class RunCrews {
  private readonly locked: ReadonlySet<string>;
  private byJurisdiction: Map<string, CrewRecord[]> | null = null;
  private fallback: Promise<CrewRecord | null> | null = null;

  constructor(
    jurisdictionIds: readonly string[],
    private readonly read: (jurisdictionIds: readonly string[]) => Promise<CrewRecord[]>,
    private readonly readDefault: () => Promise<CrewRecord | null> = () => Promise.resolve(null),
  ) {
    this.locked = new Set(jurisdictionIds);
  }

  /** The crew `leastLoadedCrew` would pick (a copy), null when the jurisdiction has none; undefined for a jurisdiction the run did not lock. */
  async leastLoaded(jurisdictionId: string): Promise<CrewRecord | null | undefined> {
    if (!this.locked.has(jurisdictionId)) return undefined;
    if (!this.byJurisdiction) {
      const crews = new Map<string, CrewRecord[]>();
      for (const crew of await this.read([...this.locked])) crews.set(crew.jurisdictionId, [...(crews.get(crew.jurisdictionId) ?? []), crew]);
      this.byJurisdiction = crews;
    }
    const least = [...(this.byJurisdiction.get(jurisdictionId) ?? [])].sort(byLoad)[0];
    return least ? { ...least } : null;
  }

  /**
   * The region's default crew (a copy; null when none is configured or it does not exist), read
   * once per run: for urgent work, which it gets whatever its load, so its count is not kept here.
   */
  async defaultCrew(): Promise<CrewRecord | null> {
    this.fallback ??= this.readDefault();
    const crew = await this.fallback;
    return crew ? { ...crew } : null;
  }

  /** The run gave the crew a task, released to it or in its queue: one more open task. */
  gave(crewId: string, outcome: 'released' | 'queued'): void {
    for (const crews of this.byJurisdiction?.values() ?? []) {
      for (const crew of crews) {
        if (crew.id !== crewId) continue;
        crew.openTasks++;
        if (outcome === 'queued') crew.queuedTasks++;
      }
    }
  }

  /** Something else changed crews' tasks: read them again when next needed. */
  forget(): void {
    this.byJurisdiction = null;
    this.fallback = null;
  }
}
