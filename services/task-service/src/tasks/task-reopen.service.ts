import { Inject, Injectable } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { AssignmentService } from './assignment.service';
import { TaskLedger } from './task-ledger.service';
import { TaskException } from './task.exception';
import { dueAt, raisePriority } from './task-rules';
import { Actor, TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

export interface ReopenInput {
  actor: Actor;
  reason: string;
  fixFailed: boolean;
  hazardIds?: string[];
  correlationId: string;
  details?: Record<string, unknown>;
}

/**
 * verified → reopened (the caller holds the row lock). A failed fix goes one priority step up; every
 * reopening gets a fresh SLA and is routed again like a new task (balanced over the jurisdiction's
 * crews). The task's hazards are open again. Refused while another open task of the same segment and
 * countermeasure exists (the loop is already open there).
 */
@Injectable()
export class TaskReopenService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly segments: SegmentRefRepository,
    private readonly ledger: TaskLedger,
    private readonly assignment: AssignmentService,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  async reopen(task: TaskRecord, input: ReopenInput, scope: TxScope): Promise<TaskRecord> {
    // The jurisdiction's routing lock first, before the task is open again (see
    // `AssignmentService.lockToOpen`): taken after, while the stretch planner or a programme's
    // approval held it and waited to open a task on the same segment, it closed a circle. (A reopened
    // task goes to a crew at once, never to a queue: no queue lock is needed.)
    const jurisdictionId = task.jurisdictionId ?? (await this.assignment.jurisdictionOf(task.segmentId, scope));
    if (jurisdictionId) await this.assignment.lockForRouting([jurisdictionId], false, scope);
    if (task.status === 'verified') {
      const open = await this.tasks.lockOpen(task.segmentId, task.countermeasure, scope);
      if (open) throw new TaskException('OPEN_TASK_EXISTS', `task ${open.id} is already open for ${task.countermeasure} on ${task.segmentId}`);
    }
    const priority = input.fixFailed ? raisePriority(task.priority) : task.priority;
    const sla = { p1: this.config.SLA_HOURS_P1, p2: this.config.SLA_HOURS_P2, p3: this.config.SLA_HOURS_P3 };
    const reopened = await this.ledger.apply(
      task,
      'reopen',
      {
        actor: input.actor,
        correlationId: input.correlationId,
        reason: input.reason,
        details: input.details,
        patch: {
          fixFailed: input.fixFailed,
          priority,
          hazardIds: [...new Set([...task.hazardIds, ...(input.hazardIds ?? [])])],
          reopenCount: task.reopenCount + 1,
          dueAt: dueAt(priority, this.clock.now(), sla),
          crewId: null,
          acceptedAt: null,
          submittedAt: null,
          closedAt: null,
          escalatedAt: null,
        },
      },
      scope,
    );
    await this.segments.unresolveHazards(task.id, scope);
    return this.assignment.autoAssign(reopened, input.correlationId, scope);
  }
}
