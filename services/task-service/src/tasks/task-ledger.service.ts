import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TaskChange, TaskChanged, taskChangedTopic } from '@roadloop/contracts';
import { TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { CrewQueue } from '../crews/crew-queue.service';
import { freedSlot } from '../crews/work-class';
import { OutboxMessage, OutboxRepository } from '../outbox/outbox.repository';
import { outgoingEvent } from '../outbox/outgoing-event';
import { TaskException } from './task.exception';
import { TaskAction, isQueued, transition } from './task-lifecycle';
import { Actor, HistoryEntry, TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

interface DeferredRecords {
  history: HistoryEntry[];
  messages: OutboxMessage[];
}

export interface ChangeContext {
  actor: Actor;
  correlationId: string;
  reason?: string | null;
  /** Fields the action sets besides the status (crew, duplicateOf, …). */
  patch?: Partial<TaskRecord>;
  /** Extra facts for the audit trail (not published). */
  details?: Record<string, unknown>;
}

/**
 * The one way a task changes: the new row, its audit-trail entry and its `task.changed` event (into
 * the outbox) are written in the caller's transaction, so all three exist or none does.
 */
@Injectable()
export class TaskLedger {
  /** The records of transactions that write them when their work is done (see `withRecordsDeferred`). */
  private readonly deferred = new WeakMap<TxScope, DeferredRecords>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    /** Crew capacity: a change that frees a crew's slot releases its queued work in the same transaction. */
    @Optional() private readonly crewQueue?: CrewQueue,
  ) {}

  /**
   * Runs `work` (in the transaction of `scope`) with the audit-trail entries and events it records
   * kept and written together when it is done, in the order they were made: two statements instead
   * of two per change. Only for work that reads neither the audit trail nor the outbox meanwhile.
   */
  async withRecordsDeferred<T>(scope: TxScope, work: () => Promise<T>): Promise<T> {
    const records: DeferredRecords = { history: [], messages: [] };
    this.deferred.set(scope, records);
    try {
      const result = await work();
      await this.tasks.insertHistoryMany(records.history, scope);
      await this.outbox.addMany(records.messages, scope);
      return result;
    } finally {
      this.deferred.delete(scope);
    }
  }

  /** Inserts a new task (version 1) unless an open one exists for its segment and countermeasure. */
  async create(task: TaskRecord, ctx: ChangeContext, scope: TxScope): Promise<boolean> {
    if (!(await this.tasks.insertIfNoneOpen(task, scope))) return false;
    await this.record(task, null, 'created', ctx, scope);
    return true;
  }

  /**
   * `create`, then `apply('assign')` with the crew decided as the task opens, in one write: the task
   * is inserted assigned, and both changes (created, assigned) are recorded in order, as the two
   * steps would record them. Null when an open one exists (nothing written).
   */
  async createAssigned(task: TaskRecord, ctx: ChangeContext, assignment: ChangeContext, scope: TxScope): Promise<TaskRecord | null> {
    const { updated, change } = this.applied(task, 'assign', assignment);
    if (!(await this.tasks.insertIfNoneOpen(updated, scope))) return null;
    await this.record(task, null, 'created', ctx, scope);
    await this.record(updated, task.status, change, assignment, scope);
    return updated;
  }

  /** Applies an action through the state machine; an illegal one is refused (409), never applied. */
  async apply(task: TaskRecord, action: TaskAction, ctx: ChangeContext, scope: TxScope): Promise<TaskRecord> {
    const { updated, change } = this.applied(task, action, ctx);
    await this.tasks.update(updated, task.version, scope);
    await this.record(updated, task.status, change, ctx, scope);
    if (this.crewQueue && freedSlot(task, updated)) await this.crewQueue.releaseNext(task.crewId!, this, ctx.correlationId, scope);
    return updated;
  }

  /** The task as an action leaves it (not written), with the change to record; an illegal action is refused (409). */
  private applied(task: TaskRecord, action: TaskAction, ctx: ChangeContext): { updated: TaskRecord; change: TaskChange } {
    const step = transition(task.status, action);
    if (!step.ok) throw new TaskException('ILLEGAL_TRANSITION', step.reason);
    const now = this.clock.now();
    const updated: TaskRecord = {
      ...task,
      ...ctx.patch,
      status: step.to,
      version: task.version + 1,
      updatedAt: now,
    };
    // Release from a crew's queue starts the SLA clock: the same hours from now. A task that waited
    // without a crew was on the clock all along (overdue means late), so it keeps its due time.
    if (action === 'assign' && isQueued(task) && ctx.patch?.dueAt === undefined) {
      updated.dueAt = new Date(now.getTime() + task.dueAt.getTime() - task.createdAt.getTime());
    }
    if (ctx.reason !== undefined && action !== 'escalate') updated.statusReason = ctx.reason;
    if (action === 'accept') updated.acceptedAt = now;
    if (action === 'submit') updated.submittedAt = now;
    if (action === 'verify') updated.verifiedAt = now;
    if (action === 'escalate') updated.escalatedAt = now;
    if (['verified', 'cancelled', 'duplicate', 'unable_to_fix'].includes(step.to)) updated.closedAt = now;
    return { updated, change: step.change };
  }

  private async record(task: TaskRecord, previousStatus: TaskRecord['status'] | null, change: TaskChange, ctx: ChangeContext, scope: TxScope) {
    const eventId = randomUUID();
    const occurredAt = this.clock.now();
    const payload: TaskChanged = {
      taskId: task.id,
      segmentId: task.segmentId,
      change,
      status: task.status,
      previousStatus,
      countermeasure: task.countermeasure,
      side: task.side,
      priority: task.priority,
      hazardIds: task.hazardIds,
      jurisdictionId: task.jurisdictionId,
      crewId: task.crewId,
      actor: ctx.actor,
      reason: ctx.reason ?? null,
      fixFailed: task.fixFailed,
      dueAt: task.dueAt.toISOString(),
      version: task.version,
    };
    const message = outgoingEvent(taskChangedTopic, this.config.KAFKA_TOPIC_PREFIX, payload, { eventId, occurredAt, correlationId: ctx.correlationId });
    const entry: HistoryEntry = {
      taskId: task.id,
      version: task.version,
      change,
      fromStatus: previousStatus,
      toStatus: task.status,
      actor: ctx.actor,
      reason: ctx.reason ?? null,
      details: ctx.details ?? null,
      eventId,
      occurredAt,
    };
    const deferred = this.deferred.get(scope);
    if (deferred) {
      deferred.history.push(entry);
      deferred.messages.push(message);
      return;
    }
    await this.tasks.insertHistory(entry, scope);
    await this.outbox.add(message, scope);
  }
}
