import { Injectable } from '@nestjs/common';
import { Principal, readViewOf } from '@roadloop/auth';
import type { TaskDetail, TaskPage } from '@roadloop/contracts';
import { Clock } from '../clock';
import { PhotoRecord, photoView } from '../photos/photo.model';
import { PhotoRepository } from '../photos/photo.repository';
import { TaskException } from './task.exception';
import { assertCrewOwns } from './task-command.service';
import { encodeTaskCursor } from './task-http.schema';
import { EvidenceRecord, TaskFilter, TaskView, taskView } from './task.model';
import { TaskRepository } from './task.repository';

@Injectable()
export class TaskQueryService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly clock: Clock,
    private readonly photos: PhotoRepository,
  ) {}

  /** Tasks, newest first. Crew members see only their crew's tasks. */
  async list(filter: TaskFilter, principal: Principal): Promise<TaskView[]> {
    return (await this.page(filter, principal)).items;
  }

  /**
   * One page of tasks, newest first, each with its segment's midpoint, and the cursor of the next
   * page (null on the last). Crew members see only their crew's tasks.
   */
  async page(filter: TaskFilter, principal: Principal): Promise<TaskPage> {
    const now = this.clock.now();
    // One more than asked tells whether another page follows.
    const found = await this.tasks.search({ ...visibleTo(filter, principal), limit: filter.limit + 1 }, now);
    const rows = found.slice(0, filter.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({ ...taskView(r.task, now), location: r.location })),
      nextCursor: found.length > filter.limit && last ? encodeTaskCursor(last.cursor) : null,
    };
  }

  /** One task with its audit trail, its evidence, and the checks of the latest evidence. */
  async detail(id: string, principal: Principal): Promise<TaskDetail> {
    const task = await this.tasks.find(id);
    if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${id}`);
    assertCrewOwns(principal, task);
    const [history, evidence, photos] = await Promise.all([this.tasks.history(id), this.tasks.evidence(id), this.photos.ofTask(id)]);
    const latest = evidence[evidence.length - 1];
    return {
      ...taskView(task, this.clock.now()),
      checks: latest?.checks ?? [],
      /** Every photo uploaded to the task, submitted or not yet. */
      photos: photos.map(photoView),
      evidence: evidence.map((e) => evidenceView(e, photos)),
      history: history.map((h) => ({
        version: h.version,
        change: h.change,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        actor: h.actor,
        reason: h.reason,
        details: h.details,
        eventId: h.eventId,
        occurredAt: h.occurredAt.toISOString(),
      })),
    };
  }
}

export type { ListedTask, TaskPage } from '@roadloop/contracts';

/** The filter cut to the tasks the caller sees (the read policy: a crew, its own crew's). */
function visibleTo(filter: TaskFilter, principal: Principal): TaskFilter {
  if (readViewOf(principal).tasks === 'all') return filter;
  if (filter.crewId && filter.crewId !== principal.crewId) {
    throw new TaskException('NOT_YOUR_TASK', `crew ${principal.crewId} may not list the tasks of crew ${filter.crewId}`);
  }
  return { ...filter, crewId: principal.crewId! };
}

/** Evidence as shown: each uploaded photo with its metadata and links, a linked one with its URL. */
export function evidenceView(e: EvidenceRecord, uploaded: PhotoRecord[]) {
  const byDigest = new Map(uploaded.map((p) => [p.sha256, p]));
  return {
    id: e.id,
    crewId: e.crewId,
    submittedBy: e.submittedBy,
    photos: e.photos.map((p) => {
      const photo = byDigest.get(p.sha256);
      return photo && p.uploaded !== false ? { ...photoView(photo), uploaded: true } : { sha256: p.sha256, url: p.url ?? null, uploaded: false };
    }),
    position: { lon: e.lon, lat: e.lat, accuracyM: e.accuracyM },
    capturedAt: e.capturedAt.toISOString(),
    notes: e.notes,
    checks: e.checks,
    submittedAt: e.submittedAt.toISOString(),
  };
}
