import { Injectable } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { JurisdictionRepository } from '../jurisdictions/jurisdiction.repository';
import { TaskLedger } from './task-ledger.service';
import { SYSTEM_ACTOR, TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

/** Routing (Open311: location → responsible body by area polygon → its crews), inside the caller's transaction. */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly tasks: TaskRepository,
    private readonly ledger: TaskLedger,
  ) {}

  /** The jurisdiction of a segment (null while its geometry or no polygon is known). */
  jurisdictionOf(segmentId: string, scope: TxScope): Promise<string | null> {
    return this.jurisdictions.forSegment(segmentId, scope);
  }

  /**
   * Gives an unassigned task (created or reopened) to the crew of its jurisdiction with the fewest
   * open tasks (ties by crew id); the jurisdiction is looked up when the task has none yet. Without
   * a jurisdiction or a crew the task stays unassigned, visible to dispatchers.
   */
  async autoAssign(task: TaskRecord, correlationId: string, scope: TxScope): Promise<TaskRecord> {
    if (task.crewId !== null || (task.status !== 'created' && task.status !== 'reopened')) return task;
    let current = task;
    if (current.jurisdictionId === null) {
      const jurisdictionId = await this.jurisdictions.forSegment(task.segmentId, scope);
      if (!jurisdictionId) return current;
      await this.tasks.setJurisdiction(task.id, jurisdictionId, scope);
      current = { ...current, jurisdictionId };
    }
    const crew = await this.jurisdictions.leastLoadedCrew(current.jurisdictionId!, scope);
    if (!crew) return current;
    return this.ledger.apply(
      current,
      'assign',
      {
        actor: SYSTEM_ACTOR,
        correlationId,
        reason: `automatic: the crew of ${current.jurisdictionId} with the fewest open tasks (${crew.openTasks})`,
        patch: { crewId: crew.id, acceptedAt: null },
      },
      scope,
    );
  }
}
