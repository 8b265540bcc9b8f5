import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';

export interface TaskRecord {
  id: string;
  segmentId: string;
  countermeasure: string;
  status: string;
  priority: string;
  reason: string;
  sourceEventId: string;
  correlationId: string;
  riskLevel: string | null;
  riskScore: number | null;
  dueAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface TaskFilter {
  segmentId?: string;
  status?: string;
  limit: number;
  offset: number;
}

/** Owns `task`. */
@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates a task unless an open one exists for the same segment and countermeasure (the unique
   * partial index decides, so concurrent and repeated deliveries create exactly one).
   */
  async createIfNoneOpen(task: Omit<TaskRecord, 'createdAt' | 'updatedAt'>, scope?: TxScope): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO task (id, segment_id, countermeasure, status, priority, reason, source_event_id, correlation_id,
                         risk_level, risk_score, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (segment_id, countermeasure) WHERE status NOT IN ('verified', 'cancelled', 'duplicate', 'unable_to_fix')
       DO NOTHING
       RETURNING id`,
      [
        task.id,
        task.segmentId,
        task.countermeasure,
        task.status,
        task.priority,
        task.reason,
        task.sourceEventId,
        task.correlationId,
        task.riskLevel,
        task.riskScore,
        task.dueAt,
      ],
    );
    return rows.length === 1;
  }

  async list(filter: TaskFilter): Promise<TaskRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.segmentId) {
      params.push(filter.segmentId);
      where.push(`segment_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    params.push(filter.limit, filter.offset);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM task ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  async find(id: string): Promise<TaskRecord | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM task WHERE id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }
}

function toRecord(r: Record<string, unknown>): TaskRecord {
  return {
    id: String(r.id),
    segmentId: String(r.segment_id),
    countermeasure: String(r.countermeasure),
    status: String(r.status),
    priority: String(r.priority),
    reason: String(r.reason),
    sourceEventId: String(r.source_event_id),
    correlationId: String(r.correlation_id),
    riskLevel: (r.risk_level as string | null) ?? null,
    riskScore: r.risk_score === null ? null : Number(r.risk_score),
    dueAt: new Date(r.due_at as string).toISOString(),
    createdAt: new Date(r.created_at as string).toISOString(),
    updatedAt: new Date(r.updated_at as string).toISOString(),
  };
}
