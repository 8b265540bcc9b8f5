import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TaskChanged } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { groupBySegment } from '../segments/by-segment';

export interface VerifiedTreatment {
  taskId: string;
  countermeasure: string;
  side: 'left' | 'right' | 'both' | null;
  verifiedAt: string;
}

/** A task's state as far as the risk model reads it. */
export interface TaskRiskState {
  status: string;
  fixFailed: boolean;
}

/** Statuses in which a fix that did not hold no longer counts against its segment: fixed and verified again, or the task closed. */
const FAILED_FIX_SETTLED = ['verified', 'cancelled', 'duplicate', 'unable_to_fix'];

/**
 * Whether a task in this state enters its segment's risk: a verified fix (`verifiedOnEach`), or a
 * fix that did not hold on a task still open (`fixFailedOnAny`). A change between two states that
 * neither does (a task opened, assigned, started) leaves the segment's risk as it was.
 */
export const countsForRisk = (state: TaskRiskState | null): boolean =>
  state !== null && (state.status === 'verified' || (state.fixFailed && !FAILED_FIX_SETTLED.includes(state.status)));

/** Owns `task_state`: the latest version of each task the risk service has heard of. */
@Injectable()
export class TaskStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies a run of task changes in order, each unless a newer (or the same) version was applied
   * already, with two statements whatever the run's length: the stored versions read and locked, then
   * each task's last applied state written (its verification time the last applied verification's,
   * else the stored one). Returns, for each change, whether it was applied and the task's state
   * before it (null for a task not heard of before).
   */
  async applyMany(changes: readonly { change: TaskChanged; at: Date }[], scope: TxScope): Promise<{ applied: boolean; before: TaskRiskState | null }[]> {
    if (!changes.length) return [];
    const manager = managerOf(this.dataSource, scope);
    const ids = [...new Set(changes.map(({ change }) => change.taskId))].sort();
    const stored: { task_id: string; version: number; status: string; fix_failed: boolean }[] = await manager.query(
      `SELECT task_id, version, status, fix_failed FROM task_state WHERE task_id = ANY($1::uuid[]) ORDER BY task_id FOR UPDATE`,
      [ids],
    );
    const states = new Map(stored.map((r) => [String(r.task_id), { version: Number(r.version), status: r.status, fixFailed: r.fix_failed }]));
    const last = new Map<string, { change: TaskChanged; verifiedAt: Date | null }>();
    const results = changes.map(({ change, at }) => {
      const current = states.get(change.taskId);
      const before = current ? { status: current.status, fixFailed: current.fixFailed } : null;
      if (current !== undefined && current.version >= change.version) return { applied: false, before };
      states.set(change.taskId, { version: change.version, status: change.status, fixFailed: change.fixFailed });
      const verifiedAt = change.status === 'verified' ? at : (last.get(change.taskId)?.verifiedAt ?? null);
      last.set(change.taskId, { change, verifiedAt });
      return { applied: true, before };
    });
    if (!last.size) return results;
    const written: { task_id: string }[] = await manager.query(
      `INSERT INTO task_state AS t (task_id, segment_id, status, countermeasure, side, version, verified_at, fix_failed, updated_at)
       SELECT x.task_id, x.segment_id, x.status, x.countermeasure, x.side, x.version, x.verified_at, x.fix_failed, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, segment_id text, status text, countermeasure text, side text,
                                                 version int, verified_at timestamptz, fix_failed boolean)
       ON CONFLICT (task_id) DO UPDATE SET
              status = EXCLUDED.status, countermeasure = EXCLUDED.countermeasure, side = EXCLUDED.side,
              version = EXCLUDED.version, fix_failed = EXCLUDED.fix_failed, updated_at = now(),
              verified_at = coalesce(EXCLUDED.verified_at, t.verified_at)
        WHERE t.version < EXCLUDED.version
       RETURNING task_id`,
      [
        JSON.stringify(
          [...last.values()].map(({ change, verifiedAt }) => ({
            task_id: change.taskId,
            segment_id: change.segmentId,
            status: change.status,
            countermeasure: change.countermeasure,
            side: change.side,
            version: change.version,
            verified_at: verifiedAt?.toISOString() ?? null,
            fix_failed: change.fixFailed,
          })),
        ),
      ],
    );
    // A newer version another writer stored meanwhile (the row was not there to lock) wins: none of this run's changes of that task applied.
    const writtenIds = new Set(written.map((r) => String(r.task_id)));
    return results.map((r, i) => (r.applied && !writtenIds.has(changes[i].change.taskId) ? { ...r, applied: false } : r));
  }

  /** Countermeasures verified and still in force on a segment (a reopened task's is not). */
  async verifiedOn(segmentId: string, scope?: TxScope): Promise<VerifiedTreatment[]> {
    return (await this.verifiedOnEach([segmentId], scope)).get(segmentId) ?? [];
  }

  /** `verifiedOn` for several segments in one query (segments without any are absent). */
  async verifiedOnEach(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, VerifiedTreatment[]>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, task_id, countermeasure, side, verified_at FROM task_state
        WHERE segment_id = ANY($1::text[]) AND status = 'verified' ORDER BY segment_id, verified_at, task_id`,
      [segmentIds],
    );
    return groupBySegment(rows, (r) => ({
      taskId: String(r.task_id),
      countermeasure: String(r.countermeasure),
      side: (r.side as VerifiedTreatment['side']) ?? null,
      verifiedAt: new Date(r.verified_at as string).toISOString(),
    }));
  }

  /** Whether a fix on the segment did not hold: a task reopened as failed and not verified again. */
  async fixFailedOn(segmentId: string, scope?: TxScope): Promise<boolean> {
    return (await this.fixFailedOnAny([segmentId], scope)).has(segmentId);
  }

  /** Of these segments, those where a fix did not hold (`fixFailedOn`), in one query. */
  async fixFailedOnAny(segmentIds: readonly string[], scope?: TxScope): Promise<Set<string>> {
    const rows: { segment_id: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT DISTINCT segment_id FROM task_state
        WHERE segment_id = ANY($1::text[]) AND fix_failed AND status <> ALL($2::text[])`,
      [segmentIds, FAILED_FIX_SETTLED],
    );
    return new Set(rows.map((r) => String(r.segment_id)));
  }

  /** Every task on a segment as last heard of, newest change first. */
  async onSegment(segmentId: string): Promise<{ taskId: string; status: string; countermeasure: string; side: string | null; version: number; fixFailed: boolean; updatedAt: string }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT task_id, status, countermeasure, side, version, fix_failed, updated_at FROM task_state
        WHERE segment_id = $1 ORDER BY updated_at DESC, task_id`,
      [segmentId],
    );
    return rows.map((r) => ({
      taskId: String(r.task_id),
      status: String(r.status),
      countermeasure: String(r.countermeasure),
      side: (r.side as string | null) ?? null,
      version: Number(r.version),
      fixFailed: Boolean(r.fix_failed),
      updatedAt: new Date(r.updated_at as string).toISOString(),
    }));
  }
}
