import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TASK_CONFIG, TaskConfig } from '../config';
import { Clock } from '../clock';
import { TaskException } from '../tasks/task.exception';
import { TransactionRunner } from '@roadloop/persistence';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { AssignmentService } from '../tasks/assignment.service';
import { TaskRepository } from '../tasks/task.repository';
import { JurisdictionGeometry } from './jurisdiction.schema';
import { CrewRecord, JurisdictionRepository } from './jurisdiction.repository';
import { StatusColour, WorkloadCounts, statusColour } from './jurisdiction-status';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

export interface JurisdictionStatus extends WorkloadCounts {
  jurisdictionId: string;
  status: StatusColour;
}

/** Path segments under /v1/jurisdictions that are routes, not jurisdiction ids. */
const RESERVED_IDS = ['index'];

/** Areas (townships, villages) that own roads, their crews, and their red/yellow/green status. */
@Injectable()
export class JurisdictionService {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly tasks: TaskRepository,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly assignment: AssignmentService,
    private readonly segmentJurisdictions: SegmentJurisdictionService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
    @Optional() private readonly outbox?: OutboxNudge,
  ) {}

  /**
   * Creates or replaces an area after PostGIS confirms its polygon is valid (400 with ST_IsValidReason).
   * Every segment's responsible jurisdiction is recomputed in the same transaction and each change is
   * published (`segment.jurisdiction`), unless `reassignSegments` is false: a bulk load replaces all
   * its areas first and then calls `reassignSegments()` once.
   */
  async put(
    id: string,
    name: string,
    geometry: JurisdictionGeometry,
    options: { reassignSegments?: boolean; correlationId?: string } = {},
  ): Promise<{ id: string; name: string; created: boolean; reassignedSegments: number }> {
    if (RESERVED_IDS.includes(id)) {
      throw new TaskException('RESERVED_ID', `"${id}" names a route under /v1/jurisdictions`, [{ field: 'id', message: 'reserved: choose another id' }]);
    }
    const invalid = await this.jurisdictions.invalidityOf(geometry);
    if (invalid) {
      throw new TaskException('INVALID_GEOMETRY', `geometry is not a valid polygon: ${invalid}`, [{ field: 'geometry', message: invalid }]);
    }
    const correlationId = options.correlationId ?? randomUUID();
    const { created, reassigned } = await this.tx.run(async (scope) => {
      const inserted = await this.jurisdictions.upsert(id, name, geometry, scope);
      const changes = options.reassignSegments === false ? [] : await this.segmentJurisdictions.reassignAll(correlationId, scope);
      return { created: inserted, reassigned: changes.length };
    });
    if (reassigned) this.outbox?.nudge();
    return { id, name, created, reassignedSegments: reassigned };
  }

  /** Recomputes the responsible jurisdiction of every segment and publishes the changes; returns how many changed. */
  async reassignSegments(correlationId: string = randomUUID()): Promise<number> {
    const changes = await this.tx.run((scope) => this.segmentJurisdictions.reassignAll(correlationId, scope));
    if (changes.length) this.outbox?.nudge();
    return changes.length;
  }

  async list() {
    const [all, statuses] = await Promise.all([this.jurisdictions.list(), this.statuses()]);
    return all.map((j) => ({ id: j.id, name: j.name, updatedAt: j.updatedAt.toISOString(), ...statuses.get(j.id)! }));
  }

  async get(id: string) {
    const j = await this.jurisdictions.find(id);
    if (!j) throw new TaskException('JURISDICTION_NOT_FOUND', `no jurisdiction ${id}`);
    const [crews, status] = await Promise.all([this.jurisdictions.listCrews(id), this.status(id)]);
    return { id: j.id, name: j.name, geometry: j.geometry, updatedAt: j.updatedAt.toISOString(), crews, ...status };
  }

  async status(id: string): Promise<JurisdictionStatus> {
    if (!(await this.jurisdictions.find(id))) throw new TaskException('JURISDICTION_NOT_FOUND', `no jurisdiction ${id}`);
    return (await this.statuses(id)).get(id)!;
  }

  /**
   * Creates or replaces a crew (with its own capacity, or the service's default). Tasks of its
   * jurisdiction that were waiting for a crew are routed now (balanced over every crew of the
   * jurisdiction) — and, for the region's default crew, every task outside all jurisdictions or in one
   * without a crew — so
   * work opened before the crews were set up is not left unassigned; a raised capacity releases
   * queued work at once.
   */
  async putCrew(
    id: string,
    name: string,
    jurisdictionId: string,
    capacity: { works?: number | null; survey?: number | null } = {},
  ): Promise<{ id: string; name: string; jurisdictionId: string; created: boolean; assignedWaitingTasks: number; releasedQueuedTasks: number }> {
    if (!(await this.jurisdictions.find(jurisdictionId))) {
      throw new TaskException('JURISDICTION_NOT_FOUND', `no jurisdiction ${jurisdictionId}`, [{ field: 'jurisdictionId', message: 'no such jurisdiction' }]);
    }
    const created = await this.jurisdictions.upsertCrew(id, name, jurisdictionId, { works: capacity.works ?? null, survey: capacity.survey ?? null });
    const correlationId = `crew-${id}`;
    const { assigned, released } = await this.tx.run(async (scope) => {
      let routed = 0;
      const waiting = [...(await this.tasks.lockUnassignedIn(jurisdictionId, scope))];
      if (id === this.config.DEFAULT_CREW_ID) waiting.push(...(await this.tasks.lockUnassignedWithoutCrew(scope)));
      for (const task of waiting) {
        if ((await this.assignment.autoAssign(task, correlationId, scope)).crewId) routed++;
      }
      return { assigned: routed, released: (await this.assignment.releaseQueued(id, correlationId, scope)).length };
    });
    if (assigned || released) this.outbox?.nudge();
    return { id, name, jurisdictionId, created, assignedWaitingTasks: assigned, releasedQueuedTasks: released };
  }

  listCrews(jurisdictionId?: string): Promise<CrewRecord[]> {
    return this.jurisdictions.listCrews(jurisdictionId);
  }

  private async statuses(only?: string): Promise<Map<string, JurisdictionStatus>> {
    const rows = await this.tasks.workload(this.clock.now(), this.config.STATUS_AT_RISK_HOURS, only);
    const ids = only ? [only] : (await this.jurisdictions.list()).map((j) => j.id);
    const byId = new Map(rows.map((r) => [r.jurisdictionId, r]));
    return new Map(
      ids.map((id) => {
        const counts: WorkloadCounts = byId.get(id) ?? { open: 0, overdue: 0, overdueP1: 0, dueSoon: 0 };
        const { open, overdue, overdueP1, dueSoon } = counts;
        return [id, { jurisdictionId: id, open, overdue, overdueP1, dueSoon, status: statusColour(counts, this.config.STATUS_RED_OVERDUE_COUNT) }];
      }),
    );
  }
}
