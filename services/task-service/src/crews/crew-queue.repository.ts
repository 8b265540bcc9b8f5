import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import { OCCUPYING_STATUSES, QUEUE_ORDER_SQL, WORK_CLASS_SQL, WorkClass } from './work-class';

const OCCUPYING_SQL = OCCUPYING_STATUSES.map((s) => `'${s}'`).join(', ');

export interface CrewCapacity {
  /** The crew's own capacity for released works and survey tasks; null: the service's default. */
  works: number | null;
  survey: number | null;
}

export interface QueueCounts {
  crewId: string;
  released: Record<WorkClass, number>;
  queued: Record<WorkClass, number>;
}

/** The prefix of a crew's queue lock (an advisory lock keyed by the hash of prefix and crew id). */
export const CREW_QUEUE_LOCK = 'task.crew-queue:';

/** A crew's queue: the `crew` capacity columns and the task rows it counts and releases. */
@Injectable()
export class CrewQueueRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Serialises the decisions about one crew's slots (a transaction-scoped advisory lock): two
   * transactions cannot both see a last free slot.
   */
  async lockCrew(crewId: string, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(`SELECT pg_advisory_xact_lock(hashtext('${CREW_QUEUE_LOCK}' || $1))`, [crewId]);
  }

  async capacity(crewId: string, scope?: TxScope): Promise<CrewCapacity | null> {
    const rows: { works_capacity: number | null; survey_capacity: number | null }[] = await managerOf(this.dataSource, scope).query(
      `SELECT works_capacity, survey_capacity FROM crew WHERE id = $1`,
      [crewId],
    );
    return rows.length ? { works: rows[0].works_capacity, survey: rows[0].survey_capacity } : null;
  }

  /** Released tasks of a class that occupy the crew. */
  async occupied(crewId: string, workClass: WorkClass, scope: TxScope): Promise<number> {
    const [row] = await managerOf(this.dataSource, scope).query(
      `SELECT count(*)::int AS n FROM task t WHERE t.crew_id = $1 AND t.status IN (${OCCUPYING_SQL}) AND ${WORK_CLASS_SQL} = $2`,
      [crewId, workClass],
    );
    return Number(row.n);
  }

  /** Ids of the crew's queued tasks of a class in release order (at most `limit`). */
  async nextQueued(crewId: string, workClass: WorkClass, limit: number, scope: TxScope): Promise<string[]> {
    const rows: { id: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT t.id FROM task t WHERE t.crew_id = $1 AND t.status = 'created' AND ${WORK_CLASS_SQL} = $2
        ORDER BY ${QUEUE_ORDER_SQL} LIMIT $3`,
      [crewId, workClass, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Puts a created task in a crew's queue: not a state change (no version, no event); released later by `assign`. */
  async enqueue(taskId: string, crewId: string, jurisdictionId: string | null, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(
      `UPDATE task SET crew_id = $2, jurisdiction_id = coalesce(jurisdiction_id, $3) WHERE id = $1 AND status = 'created'`,
      [taskId, crewId, jurisdictionId],
    );
  }

  /** Released and queued tasks per crew and class (crews without tasks appear with zeros). */
  async counts(): Promise<QueueCounts[]> {
    const rows: { crew_id: string; cls: WorkClass; released: number; queued: number }[] = await this.dataSource.query(
      `SELECT c.id AS crew_id, x.cls,
              count(t.id) FILTER (WHERE t.status IN (${OCCUPYING_SQL}))::int AS released,
              count(t.id) FILTER (WHERE t.status = 'created')::int AS queued
         FROM crew c CROSS JOIN (VALUES ('urgent'), ('survey'), ('works')) x(cls)
         LEFT JOIN task t ON t.crew_id = c.id AND ${WORK_CLASS_SQL} = x.cls
        GROUP BY c.id, x.cls ORDER BY c.id`,
    );
    const byCrew = new Map<string, QueueCounts>();
    for (const r of rows) {
      const entry = byCrew.get(r.crew_id) ?? { crewId: r.crew_id, released: { urgent: 0, survey: 0, works: 0 }, queued: { urgent: 0, survey: 0, works: 0 } };
      entry.released[r.cls] = Number(r.released);
      entry.queued[r.cls] = Number(r.queued);
      byCrew.set(r.crew_id, entry);
    }
    return [...byCrew.values()];
  }
}
