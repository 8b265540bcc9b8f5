import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal, Role, seesTaskOf } from '@roadloop/auth';
import { TransactionRunner, TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { JurisdictionRepository } from '../jurisdictions/jurisdiction.repository';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { PhotoRepository } from '../photos/photo.repository';
import { PhotoFacts, evaluateEvidence } from './evidence-checks';
import { TaskException } from './task.exception';
import { isOpen } from './task-lifecycle';
import { TaskLedger } from './task-ledger.service';
import { TaskReopenService } from './task-reopen.service';
import { Actor, EvidencePhoto, TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';
import { VerifiedFixHook } from './verified-fix-hook';

export interface EvidenceInput {
  photos: EvidencePhoto[];
  position: { lon: number; lat: number; accuracyM: number };
  capturedAt: string;
  notes?: string;
}

export type TaskCommand =
  | { action: 'assign'; crewId: string; reason?: string }
  | { action: 'accept' }
  | { action: 'start' }
  | { action: 'submit'; evidence: EvidenceInput }
  | { action: 'verify'; notes?: string }
  | { action: 'reject'; reason: string }
  | { action: 'cancel'; reason: string }
  | { action: 'mark_duplicate'; ofTaskId: string; reason?: string }
  | { action: 'unable_to_fix'; reason: string }
  | { action: 'reopen'; reason: string; fixFailed?: boolean };

export type CommandAction = TaskCommand['action'];

/** Who may give each command. Crew members may act only on their own crew's tasks. */
export const COMMAND_ROLES: Record<CommandAction, Role[]> = {
  assign: ['dispatcher'],
  accept: ['crew'],
  start: ['crew'],
  submit: ['crew'],
  verify: ['inspector'],
  reject: ['inspector'],
  cancel: ['dispatcher'],
  mark_duplicate: ['dispatcher'],
  unable_to_fix: ['dispatcher', 'crew'],
  reopen: ['dispatcher', 'inspector'],
};

/** Commands on one task from people, each in one transaction with its history row and event. */
@Injectable()
export class TaskCommandService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly tasks: TaskRepository,
    private readonly jurisdictions: JurisdictionRepository,
    private readonly segments: SegmentRefRepository,
    private readonly ledger: TaskLedger,
    private readonly reopener: TaskReopenService,
    private readonly clock: Clock,
    private readonly outbox: OutboxNudge,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    private readonly photos: PhotoRepository,
    @Optional() private readonly verifiedFix?: VerifiedFixHook,
  ) {}

  async execute(
    taskId: string,
    principal: Principal,
    command: TaskCommand,
    options: { expectedVersion?: number; correlationId?: string; idempotencyKey?: string } = {},
  ): Promise<TaskRecord> {
    if (!COMMAND_ROLES[command.action].includes(principal.role)) {
      throw new TaskException('ROLE_NOT_ALLOWED', `role ${principal.role} may not ${command.action.replace(/_/g, ' ')} a task`);
    }
    const correlationId = options.correlationId ?? randomUUID();
    const actor: Actor = { role: principal.role, id: principal.id };
    const updated = await this.tx.run(async (scope) => {
      // Two rows are locked to mark a duplicate: always the smaller id first, so that two dispatchers
      // marking A and B as duplicates of each other cannot deadlock.
      if (command.action === 'mark_duplicate' && command.ofTaskId < taskId) await this.tasks.lock(command.ofTaskId, scope);
      const task = await this.tasks.lock(taskId, scope);
      if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${taskId}`);
      assertCrewOwns(principal, task);
      const key = options.idempotencyKey;
      if (key !== undefined) {
        // The same command again (a phone resending after a lost answer): done once, answered again.
        const done = await this.tasks.findCommandKey(actor.id, key, scope);
        if (done) {
          if (done.taskId !== taskId || done.action !== command.action) {
            throw new TaskException('IDEMPOTENCY_KEY_REUSED', `idempotency key ${key} was used for ${done.action.replace(/_/g, ' ')} on task ${done.taskId}`, [
              { field: 'idempotency-key', message: 'already used for another command' },
            ]);
          }
          return task;
        }
      }
      if (options.expectedVersion !== undefined && options.expectedVersion !== task.version) {
        throw new TaskException('VERSION_CONFLICT', `task ${taskId} is at version ${task.version}, not ${options.expectedVersion}`);
      }
      const changed = await this.apply(task, command, actor, correlationId, scope);
      if (key !== undefined) await this.tasks.insertCommandKey({ actorId: actor.id, key, taskId, action: command.action, version: changed.version }, scope);
      return changed;
    });
    this.outbox.nudge();
    return updated;
  }

  private async apply(task: TaskRecord, command: TaskCommand, actor: Actor, correlationId: string, scope: TxScope): Promise<TaskRecord> {
    const base = { actor, correlationId };
    switch (command.action) {
      case 'assign': {
        const crew = await this.jurisdictions.findCrew(command.crewId, scope);
        if (!crew) throw new TaskException('UNKNOWN_CREW', `no crew ${command.crewId}`, [{ field: 'crewId', message: 'no such crew' }]);
        if (task.status === 'assigned' && task.crewId === crew.id) {
          throw new TaskException('ILLEGAL_TRANSITION', `task is already assigned to ${crew.id}`);
        }
        return this.ledger.apply(
          task,
          'assign',
          { ...base, reason: command.reason ?? null, patch: { crewId: crew.id, acceptedAt: null, jurisdictionId: task.jurisdictionId ?? crew.jurisdictionId } },
          scope,
        );
      }
      case 'accept':
        return this.ledger.apply(task, 'accept', base, scope);
      case 'start':
        return this.ledger.apply(task, 'start', base, scope);
      case 'submit':
        return this.submit(task, command.evidence, actor, correlationId, scope);
      case 'verify': {
        const verified = await this.ledger.apply(task, 'verify', { ...base, reason: command.notes ?? null }, scope);
        await this.segments.resolveHazards(verified.hazardIds, verified.id, this.clock.now(), scope);
        await this.verifiedFix?.onVerified(verified, scope);
        return verified;
      }
      case 'reject':
        return this.ledger.apply(task, 'reject', { ...base, reason: command.reason }, scope);
      case 'cancel':
        return this.ledger.apply(task, 'cancel', { ...base, reason: command.reason }, scope);
      case 'unable_to_fix':
        return this.ledger.apply(task, 'unable_to_fix', { ...base, reason: command.reason }, scope);
      case 'mark_duplicate':
        return this.markDuplicate(task, command.ofTaskId, command.reason ?? null, actor, correlationId, scope);
      case 'reopen':
        return this.reopener.reopen(task, { actor, correlationId, reason: command.reason, fixFailed: command.fixFailed ?? true }, scope);
    }
  }

  /**
   * in_progress → submitted with the evidence and its automatic checks. A failed check does not
   * block the submission: the checks are stored and shown to the inspector.
   */
  private async submit(task: TaskRecord, evidence: EvidenceInput, actor: Actor, correlationId: string, scope: TxScope): Promise<TaskRecord> {
    const now = this.clock.now();
    const photos = await this.photoFacts(task, evidence.photos, scope);
    const checks = evaluateEvidence(
      {
        photos,
        distanceM: await this.segments.distanceTo(task.segmentId, evidence.position.lon, evidence.position.lat, scope),
        accuracyM: evidence.position.accuracyM,
        capturedAt: new Date(evidence.capturedAt),
        acceptedAt: task.acceptedAt,
        now,
      },
      { maxDistanceM: this.config.EVIDENCE_MAX_DISTANCE_M, clockSkewS: this.config.EVIDENCE_CLOCK_SKEW_S },
    );
    const submitted = await this.ledger.apply(
      task,
      'submit',
      { actor, correlationId, reason: evidence.notes ?? null, details: { checks } },
      scope,
    );
    await this.tasks.insertEvidence(
      {
        id: randomUUID(),
        taskId: task.id,
        crewId: task.crewId,
        submittedBy: actor.id,
        photos: evidence.photos.map((p, i) => ({ sha256: p.sha256, ...(p.url ? { url: p.url } : {}), uploaded: photos[i].uploaded })),
        lon: evidence.position.lon,
        lat: evidence.position.lat,
        accuracyM: evidence.position.accuracyM,
        capturedAt: new Date(evidence.capturedAt),
        notes: evidence.notes ?? null,
        checks,
        submittedAt: now,
      },
      scope,
    );
    return submitted;
  }

  /**
   * What is known of each photo of the evidence: an uploaded one (by its digest, to this task) with
   * its EXIF position's distance to the segment; one only linked by URL as such. A digest neither
   * uploaded nor linked is refused, naming the photo.
   */
  private async photoFacts(task: TaskRecord, photos: EvidenceInput['photos'], scope: TxScope): Promise<PhotoFacts[]> {
    const stored = new Map((await this.photos.ofTask(task.id, scope)).map((p) => [p.sha256, p]));
    const missing = photos.flatMap((p, i) => (!p.url && !stored.has(p.sha256) ? [{ field: `evidence.photos.${i}.sha256`, message: `no photo ${p.sha256} was uploaded to this task` }] : []));
    if (missing.length) {
      throw new TaskException('PHOTO_NOT_UPLOADED', `upload each photo (PUT /v1/tasks/${task.id}/photos/{sha256}) before submitting it as evidence`, missing);
    }
    return Promise.all(
      photos.map(async (p): Promise<PhotoFacts> => {
        const photo = stored.get(p.sha256);
        if (!photo) return { sha256: p.sha256, uploaded: false, exifHasPosition: false, exifDistanceM: null, exifTakenAt: null, exifTimeZone: null };
        const positioned = photo.exifLon !== null && photo.exifLat !== null;
        return {
          sha256: p.sha256,
          uploaded: true,
          exifHasPosition: positioned,
          exifDistanceM: positioned ? await this.segments.distanceTo(task.segmentId, photo.exifLon!, photo.exifLat!, scope) : null,
          exifTakenAt: photo.exifTakenAt,
          exifTimeZone: photo.exifTimeZone,
        };
      }),
    );
  }

  /** Closes a task as a duplicate of an open one, whose hazards it inherits (inspectors merge duplicates). */
  private async markDuplicate(
    task: TaskRecord,
    ofTaskId: string,
    reason: string | null,
    actor: Actor,
    correlationId: string,
    scope: TxScope,
  ): Promise<TaskRecord> {
    if (ofTaskId === task.id) {
      throw new TaskException('UNKNOWN_TASK_REFERENCE', 'a task cannot duplicate itself', [{ field: 'ofTaskId', message: 'is this task' }]);
    }
    const target = await this.tasks.lock(ofTaskId, scope);
    if (!target) throw new TaskException('UNKNOWN_TASK_REFERENCE', `no task ${ofTaskId}`, [{ field: 'ofTaskId', message: 'no such task' }]);
    if (!isOpen(target.status)) throw new TaskException('DUPLICATE_TARGET_CLOSED', `task ${ofTaskId} is ${target.status}, not open`);
    const closed = await this.ledger.apply(task, 'mark_duplicate', { actor, correlationId, reason: reason ?? `duplicate of ${ofTaskId}`, patch: { duplicateOf: ofTaskId } }, scope);
    if (task.hazardIds.length) await this.tasks.linkHazards(target.id, task.hazardIds, scope);
    return closed;
  }
}

export function assertCrewOwns(principal: Principal, task: Pick<TaskRecord, 'id' | 'crewId'>): void {
  if (!seesTaskOf(principal, task.crewId)) {
    throw new TaskException('NOT_YOUR_TASK', `task ${task.id} is not assigned to crew ${principal.crewId}`);
  }
}
