import { Inject, Injectable } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { TASK_CONFIG, TaskConfig } from '../config';
import { CrewQueue } from '../crews/crew-queue.service';
import { CrewRecord, JurisdictionRepository } from '../jurisdictions/jurisdiction.repository';
import { TaskLedger } from './task-ledger.service';
import { TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

/** Routing (Open311: location → responsible body by area polygon → its crews), inside the caller's transaction. */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly tasks: TaskRepository,
    private readonly ledger: TaskLedger,
    private readonly crewQueue: CrewQueue,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
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
   */
  async autoAssign(task: TaskRecord, correlationId: string, scope: TxScope, jurisdictionLookedUp = false): Promise<TaskRecord> {
    if (task.crewId !== null || (task.status !== 'created' && task.status !== 'reopened')) return task;
    let current = task;
    if (current.jurisdictionId === null && !jurisdictionLookedUp) {
      const jurisdictionId = await this.jurisdictions.forSegment(task.segmentId, scope);
      if (jurisdictionId) {
        await this.tasks.setJurisdiction(task.id, jurisdictionId, scope);
        current = { ...current, jurisdictionId };
      }
    }
    let crew: CrewRecord | null = current.jurisdictionId ? await this.jurisdictions.leastLoadedCrew(current.jurisdictionId, scope) : null;
    let reason = crew ? `automatic: the crew of ${current.jurisdictionId} with the fewest open tasks (${crew.openTasks})` : '';
    if (!crew && this.config.DEFAULT_CREW_ID) {
      crew = await this.jurisdictions.findCrew(this.config.DEFAULT_CREW_ID, scope);
      reason = `automatic: the region's default crew (${current.jurisdictionId ? `${current.jurisdictionId} has no crew` : 'the segment lies outside every jurisdiction'})`;
    }
    if (!crew) return current;
    return (await this.crewQueue.place(current, crew, reason, this.ledger, correlationId, scope)).task;
  }

  /** Releases a crew's queued work while it has room (after its capacity changed). */
  releaseQueued(crewId: string, correlationId: string, scope: TxScope): Promise<TaskRecord[]> {
    return this.crewQueue.releaseNext(crewId, this.ledger, correlationId, scope);
  }
}
