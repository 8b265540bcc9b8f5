import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SegmentRiskChangedEvent } from '@roadloop/contracts';
import { AppError } from '@roadloop/http';
import { TaskFilter, TaskRecord, TaskRepository } from './task.repository';
import { dueAt, proposeTask } from './task-rules';

export class TaskNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'TASK_NOT_FOUND', `no task with id ${id}`);
  }
}

@Injectable()
export class TaskService {
  private readonly logger = new Logger(TaskService.name);

  constructor(private readonly tasks: TaskRepository) {}

  /** Applies the task rules to a risk change; creates at most one open task per segment and countermeasure. */
  async onRiskChanged(event: SegmentRiskChangedEvent, now = new Date()): Promise<TaskRecord['id'] | null> {
    const proposal = proposeTask(event.payload);
    if (!proposal) return null;
    const id = randomUUID();
    const created = await this.tasks.createIfNoneOpen({
      id,
      ...proposal,
      status: 'created',
      sourceEventId: event.eventId,
      correlationId: event.correlationId,
      riskLevel: event.payload.level,
      riskScore: event.payload.score,
      dueAt: dueAt(proposal.priority, now).toISOString(),
    });
    if (!created) return null;
    this.logger.log(`task ${id} created for ${proposal.segmentId}: ${proposal.countermeasure} (${proposal.priority})`);
    return id;
  }

  list(filter: TaskFilter): Promise<TaskRecord[]> {
    return this.tasks.list(filter);
  }

  async get(id: string): Promise<TaskRecord> {
    const task = await this.tasks.find(id);
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }
}
