import { Inject, Injectable, Logger } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { TASK_CONFIG, TaskConfig } from '../config';
import type { TaskLedger } from '../tasks/task-ledger.service';
import { SYSTEM_ACTOR, TaskRecord } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';
import { CrewQueueRepository } from './crew-queue.repository';
import { WorkClass, workClassOf } from './work-class';

export interface Placement {
  task: TaskRecord;
  /** released: assigned to the crew now (its SLA clock runs); queued: waits in the crew's queue. */
  outcome: 'released' | 'queued';
}

/**
 * Crew capacity: a crew holds at most its capacity of released works tasks and, separately, of
 * surveys; urgent work (p1, reported hazards, fatal-crash investigations, failed fixes) always goes
 * out at once and is not counted. Work beyond capacity waits in the crew's queue and is released in
 * priority order (then oldest first) as the crew's tasks are verified or closed. A task's SLA clock
 * starts at its release.
 *
 * The ledger is passed in, not injected: the ledger calls back here when a change frees a slot.
 */
@Injectable()
export class CrewQueue {
  private readonly logger = new Logger(CrewQueue.name);

  constructor(
    private readonly queue: CrewQueueRepository,
    private readonly tasks: TaskRepository,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  /** The capacity of a crew for a class of work (null: unlimited, for urgent work). */
  async capacityOf(crewId: string, workClass: WorkClass, scope?: TxScope): Promise<number | null> {
    if (workClass === 'urgent') return null;
    const own = await this.queue.capacity(crewId, scope);
    if (workClass === 'works') return own?.works ?? this.config.CREW_WORKS_CAPACITY;
    return own?.survey ?? this.config.CREW_SURVEY_CAPACITY;
  }

  /**
   * Gives an unassigned task to a crew: released (assigned) when it is urgent, reopened (the crew's
   * own work coming back) or the crew has room for its class; else queued for that crew.
   */
  async place(task: TaskRecord, crew: { id: string; jurisdictionId: string }, reason: string, ledger: TaskLedger, correlationId: string, scope: TxScope): Promise<Placement> {
    const workClass = workClassOf(task);
    if (workClass !== 'urgent' && task.status === 'created') {
      await this.queue.lockCrew(crew.id, scope);
      const capacity = (await this.capacityOf(crew.id, workClass, scope))!;
      const held = await this.queue.occupied(crew.id, workClass, scope);
      if (held >= capacity) {
        await this.queue.enqueue(task.id, crew.id, task.jurisdictionId ?? null, scope);
        return { task: { ...task, crewId: crew.id }, outcome: 'queued' };
      }
    }
    const released = await ledger.apply(
      task,
      'assign',
      { actor: SYSTEM_ACTOR, correlationId, reason, patch: { crewId: crew.id, acceptedAt: null } },
      scope,
    );
    return { task: released, outcome: 'released' };
  }

  /** Releases the crew's queued tasks while it has room, per class, in release order; returns those released. */
  async releaseNext(crewId: string, ledger: TaskLedger, correlationId: string, scope: TxScope): Promise<TaskRecord[]> {
    await this.queue.lockCrew(crewId, scope);
    const released: TaskRecord[] = [];
    for (const workClass of ['works', 'survey'] as const) {
      const capacity = (await this.capacityOf(crewId, workClass, scope))!;
      const room = capacity - (await this.queue.occupied(crewId, workClass, scope));
      if (room <= 0) continue;
      for (const id of await this.queue.nextQueued(crewId, workClass, room, scope)) {
        const task = await this.tasks.lock(id, scope);
        // Re-checked under the row lock: a dispatcher may have assigned or closed it meanwhile.
        if (!task || task.status !== 'created' || task.crewId !== crewId) continue;
        released.push(
          await ledger.apply(
            task,
            'assign',
            { actor: SYSTEM_ACTOR, correlationId, reason: `released from the queue of ${crewId}: a ${workClass} slot is free (capacity ${capacity})`, patch: { crewId, acceptedAt: null } },
            scope,
          ),
        );
      }
    }
    if (released.length) this.logger.log(`released ${released.length} queued task(s) to ${crewId}`);
    return released;
  }
}
