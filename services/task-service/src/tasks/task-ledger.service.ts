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
  /** Tasks `createAssigned` opened, not inserted yet (see `flushTasks`). */
  tasks: TaskRecord[];
}

/**
 * A task a run opened (in `withRecordsDeferred`) could not be inserted: an open task of its segment
 * and countermeasure was committed meanwhile by a transaction that takes no segment lock (a
 * programme's approval, a dispatcher's reopening; the roadside planner takes its anchors' segment
 * locks). The run is abandoned; handled one report at a time, each open sees that task. Such a
 * transaction takes its routing locks before it opens a task (`AssignmentService.lockToOpen`,
 * `TaskReopenService.reopen`), so it and the run wait for each other's in the same order, never in
 * a circle.
 */
export class DeferredTaskRefused extends Error {
  constructor(readonly task: Pick<TaskRecord, 'id' | 'segmentId' | 'countermeasure'>) {
    super(`task ${task.id} not opened: an open ${task.countermeasure} task on ${task.segmentId} was written meanwhile`);
    this.name = 'DeferredTaskRefused';
  }
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
   *
   * The tasks `createAssigned` opens meanwhile are kept too, and inserted together by `flushTasks`:
   * before any other write of a task through the ledger, when the work's crews are read (see
   * `AssignmentService.crewsOfLocked`), when the work calls it before reading tasks itself, and at
   * the end. `createAssigned` then answers as if the insert succeeded; one that is refused at the
   * flush throws `DeferredTaskRefused`, failing the work (the transaction rolls back). So the work
   * must hold the locks that keep other openers of its tasks out, as a run of the intake does.
   */
  async withRecordsDeferred<T>(scope: TxScope, work: () => Promise<T>): Promise<T> {
    const records: DeferredRecords = { history: [], messages: [], tasks: [] };
    this.deferred.set(scope, records);
    try {
      const result = await work();
      await this.flushTasks(scope);
      await this.tasks.insertHistoryMany(records.history, scope);
      await this.outbox.addMany(records.messages, scope);
      return result;
    } finally {
      this.deferred.delete(scope);
    }
  }

  /**
   * Inserts the tasks opened in `withRecordsDeferred` and not inserted yet, with one statement;
   * throws `DeferredTaskRefused` when one was refused. Nothing to do outside it.
   */
  async flushTasks(scope: TxScope): Promise<void> {
    const deferred = this.deferred.get(scope);
    if (!deferred?.tasks.length) return;
    const tasks = deferred.tasks;
    deferred.tasks = [];
    const inserted = await this.tasks.insertManyIfNoneOpen(tasks, scope);
    const refused = tasks.find((t) => !inserted.has(t.id));
    if (refused) throw new DeferredTaskRefused(refused);
  }

  /** Inserts a new task (version 1) unless an open one exists for its segment and countermeasure. */
  async create(task: TaskRecord, ctx: ChangeContext, scope: TxScope): Promise<boolean> {
    await this.flushTasks(scope);
    if (!(await this.tasks.insertIfNoneOpen(task, scope))) return false;
    await this.record(task, null, 'created', ctx, scope);
    return true;
  }

  /**
   * `create`, then `apply('assign')` with the crew decided as the task opens, in one write: the task
   * is inserted assigned, and both changes (created, assigned) are recorded in order, as the two
   * steps would record them. Null when an open one exists (nothing written). In `withRecordsDeferred`,
   * the insert waits for `flushTasks` (which fails the work if it is refused).
   */
  async createAssigned(task: TaskRecord, ctx: ChangeContext, assignment: ChangeContext, scope: TxScope): Promise<TaskRecord | null> {
    const { updated, change } = this.applied(task, 'assign', assignment);
    const deferred = this.deferred.get(scope);
    if (deferred) deferred.tasks.push({ ...updated, hazardIds: [...updated.hazardIds] });
    else if (!(await this.tasks.insertIfNoneOpen(updated, scope))) return null;
    await this.record(task, null, 'created', ctx, scope);
    await this.record(updated, task.status, change, assignment, scope);
    return updated;
  }

  /** Applies an action through the state machine; an illegal one is refused (409), never applied. */
  async apply(task: TaskRecord, action: TaskAction, ctx: ChangeContext, scope: TxScope): Promise<TaskRecord> {
    await this.flushTasks(scope);
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
