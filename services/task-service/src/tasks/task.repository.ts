import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import { CLOSED_STATUSES, OPEN_STATUSES, onSlaClockSql } from './task-lifecycle';
import { EvidenceRecord, HistoryEntry, LocatedTask, TaskFilter, TaskRecord } from './task.model';

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');
const OPEN_SQL = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');
/** On the SLA clock (released or waiting for any crew; not queued): what can be overdue. */
const ON_CLOCK = onSlaClockSql('status', 'crew_id');
const T_ON_CLOCK = onSlaClockSql('t.status', 't.crew_id');
/** A task's creation time in whole microseconds since 1970 (exact: `extract` gives numeric). */
const CREATED_US = `(extract(epoch FROM t.created_at) * 1000000)::bigint`;

/** What at most one open task exists for. */
export interface TaskKey {
  segmentId: string;
  countermeasure: string;
}

/** A segment and countermeasure as one string (for sets and maps). */
export const taskKeyOf = (k: TaskKey): string => `${k.segmentId}\u0000${k.countermeasure}`;

/** A crew command done under an idempotency key (the `Idempotency-Key` header). */
export interface CommandKey {
  actorId: string;
  key: string;
  taskId: string;
  action: string;
  version: number;
}

export interface WorkloadRow {
  jurisdictionId: string;
  open: number;
  overdue: number;
  overdueP1: number;
  dueSoon: number;
}

/**
 * The columns a new task is inserted with, each with its array type and value: listed once, for the
 * statement and its parameters.
 */
const INSERTED_COLUMNS: readonly { name: string; type: string; of: (t: TaskRecord) => unknown }[] = [
  { name: 'id', type: 'uuid', of: (t) => t.id },
  { name: 'segment_id', type: 'text', of: (t) => t.segmentId },
  { name: 'countermeasure', type: 'text', of: (t) => t.countermeasure },
  { name: 'side', type: 'text', of: (t) => t.side },
  { name: 'status', type: 'text', of: (t) => t.status },
  { name: 'priority', type: 'text', of: (t) => t.priority },
  { name: 'reason', type: 'text', of: (t) => t.reason },
  { name: 'rule', type: 'text', of: (t) => t.rule },
  // An array per task: one jsonb each (a uuid[][] would need every list the same length).
  { name: 'hazard_ids', type: 'jsonb', of: (t) => JSON.stringify(t.hazardIds) },
  { name: 'source_event_id', type: 'uuid', of: (t) => t.sourceEventId },
  { name: 'correlation_id', type: 'text', of: (t) => t.correlationId },
  { name: 'risk_level', type: 'text', of: (t) => t.riskLevel },
  { name: 'risk_score', type: 'float8', of: (t) => t.riskScore },
  { name: 'jurisdiction_id', type: 'text', of: (t) => t.jurisdictionId },
  { name: 'crew_id', type: 'text', of: (t) => t.crewId },
  { name: 'version', type: 'int', of: (t) => t.version },
  { name: 'fix_failed', type: 'boolean', of: (t) => t.fixFailed },
  { name: 'due_at', type: 'timestamptz', of: (t) => t.dueAt.toISOString() },
  { name: 'created_at', type: 'timestamptz', of: (t) => t.createdAt.toISOString() },
  { name: 'updated_at', type: 'timestamptz', of: (t) => t.updatedAt.toISOString() },
  { name: 'status_reason', type: 'text', of: (t) => t.statusReason },
];

/** New tasks in the given order, each unless its segment and countermeasure have an open task. */
const INSERT_IF_NONE_OPEN = `INSERT INTO task (${INSERTED_COLUMNS.map((c) => c.name).join(', ')})
  SELECT ${INSERTED_COLUMNS.map((c) =>
    c.name === 'hazard_ids' ? `ARRAY(SELECT h::uuid FROM jsonb_array_elements_text(hazard_ids) WITH ORDINALITY AS e (h, i) ORDER BY i)` : c.name,
  ).join(', ')}
    FROM unnest(${INSERTED_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})
         WITH ORDINALITY AS t (${INSERTED_COLUMNS.map((c) => c.name).join(', ')}, n)
   ORDER BY n
  ON CONFLICT (segment_id, countermeasure) WHERE status NOT IN (${CLOSED_SQL}) DO NOTHING
  RETURNING id`;

/** Owns `task`, `task_history` and `task_evidence`. */
@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The entity manager of the caller's transaction, or of the data source outside one. */
  private manager(scope?: TxScope): EntityManager {
    return managerOf(this.dataSource, scope);
  }

  /**
   * Inserts a task unless an open one exists for the same segment and countermeasure (the unique
   * partial index decides, so concurrent and repeated deliveries create exactly one). A new task has
   * not been accepted, submitted, verified, closed or escalated, so those columns stay empty.
   */
  async insertIfNoneOpen(t: TaskRecord, scope: TxScope): Promise<boolean> {
    return (await this.insertManyIfNoneOpen([t], scope)).size === 1;
  }

  /**
   * `insertIfNoneOpen` for several tasks with one statement, in the given order; returns the ids of
   * those inserted (a task whose segment and countermeasure have an open task, or an earlier one of
   * these, is not).
   */
  async insertManyIfNoneOpen(tasks: readonly TaskRecord[], scope: TxScope): Promise<Set<string>> {
    if (!tasks.length) return new Set();
    const rows: { id: string }[] = await this.manager(scope).query(INSERT_IF_NONE_OPEN, INSERTED_COLUMNS.map(({ of }) => tasks.map(of)));
    return new Set(rows.map((r) => r.id));
  }

  /** Writes a changed task; `previousVersion` guards against a lost update (the caller holds the row lock). */
  async update(t: TaskRecord, previousVersion: number, scope: TxScope): Promise<void> {
    const result = await this.manager(scope).query(
      `UPDATE task SET status = $3, priority = $4, side = $5, hazard_ids = $6::uuid[], jurisdiction_id = $7, crew_id = $8,
              version = $9, fix_failed = $10, duplicate_of = $11, status_reason = $12, reopen_count = $13, due_at = $14,
              accepted_at = $15, submitted_at = $16, verified_at = $17, closed_at = $18, escalated_at = $19, updated_at = $20
        WHERE id = $1 AND version = $2
        RETURNING id`,
      [
        t.id, previousVersion, t.status, t.priority, t.side, t.hazardIds, t.jurisdictionId, t.crewId, t.version, t.fixFailed,
        t.duplicateOf, t.statusReason, t.reopenCount, t.dueAt, t.acceptedAt, t.submittedAt, t.verifiedAt, t.closedAt,
        t.escalatedAt, t.updatedAt,
      ],
    );
    if (affected(result) !== 1) throw new Error(`task ${t.id} changed under its row lock (version ${previousVersion})`);
  }

  /** Adds hazards to a task's list (no duplicates, order kept). Not a state change: no version bump. */
  async linkHazards(id: string, hazardIds: string[], scope: TxScope): Promise<string[]> {
    const result = await this.manager(scope).query(
      `UPDATE task SET hazard_ids = ARRAY(
                 SELECT h FROM (SELECT DISTINCT ON (h) h, n FROM unnest(hazard_ids || $2::uuid[]) WITH ORDINALITY AS u(h, n) ORDER BY h, n) d
                  ORDER BY n)
        WHERE id = $1 RETURNING hazard_ids`,
      [id, hazardIds],
    );
    return (rowsOf(result)[0]?.hazard_ids as string[]) ?? [];
  }

  /** Records where a waiting task belongs (it stays unassigned): not a state change, no event. */
  async setJurisdiction(id: string, jurisdictionId: string, scope: TxScope): Promise<void> {
    await this.manager(scope).query(`UPDATE task SET jurisdiction_id = $2 WHERE id = $1`, [id, jurisdictionId]);
  }

  async lock(id: string, scope: TxScope): Promise<TaskRecord | null> {
    const rows: Row[] = await this.manager(scope).query(`SELECT * FROM task WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async find(id: string, scope?: TxScope): Promise<TaskRecord | null> {
    const rows: Row[] = await this.manager(scope).query(`SELECT * FROM task WHERE id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async lockOpen(segmentId: string, countermeasure: string, scope: TxScope): Promise<TaskRecord | null> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE segment_id = $1 AND countermeasure = $2 AND status IN (${OPEN_SQL}) FOR UPDATE`,
      [segmentId, countermeasure],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Verified tasks of a segment, latest verification first (optionally of one countermeasure). */
  async lockVerified(segmentId: string, countermeasure: string | null, scope: TxScope): Promise<TaskRecord[]> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE segment_id = $1 AND status = 'verified' AND ($2::text IS NULL OR countermeasure = $2)
        ORDER BY verified_at DESC, id FOR UPDATE`,
      [segmentId, countermeasure],
    );
    return rows.map(toRecord);
  }

  /** Which of the given segments and countermeasures have an open task (not locked), as `taskKeyOf` keys. */
  async openKeys(keys: readonly TaskKey[], scope: TxScope): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows: { segment_id: string; countermeasure: string }[] = await this.manager(scope).query(
      `SELECT DISTINCT segment_id, countermeasure FROM task
        WHERE (segment_id, countermeasure) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND status IN (${OPEN_SQL})`,
      [keys.map((k) => k.segmentId), keys.map((k) => k.countermeasure)],
    );
    return new Set(rows.map((r) => taskKeyOf({ segmentId: r.segment_id, countermeasure: r.countermeasure })));
  }

  /** The open tasks of the given segments and countermeasures, locked in (segment, countermeasure) order. */
  async lockOpenOf(keys: readonly TaskKey[], scope: TxScope): Promise<TaskRecord[]> {
    if (!keys.length) return [];
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE (segment_id, countermeasure) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND status IN (${OPEN_SQL})
        ORDER BY segment_id, countermeasure FOR UPDATE`,
      [keys.map((k) => k.segmentId), keys.map((k) => k.countermeasure)],
    );
    return rows.map(toRecord);
  }

  /** The verified tasks of the given segments and countermeasures, by (segment, countermeasure), latest verification first; locked in that order. */
  async lockVerifiedOf(keys: readonly TaskKey[], scope: TxScope): Promise<TaskRecord[]> {
    if (!keys.length) return [];
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE (segment_id, countermeasure) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND status = 'verified'
        ORDER BY segment_id, countermeasure, verified_at DESC, id FOR UPDATE`,
      [keys.map((k) => k.segmentId), keys.map((k) => k.countermeasure)],
    );
    return rows.map(toRecord);
  }

  /** Locks the open and the verified tasks of the given segments, in (segment, countermeasure) order; returns the jurisdictions of the verified ones. */
  async lockOpenOrVerifiedOn(segmentIds: readonly string[], scope: TxScope): Promise<string[]> {
    if (!segmentIds.length) return [];
    const rows: { status: string; jurisdiction_id: string | null }[] = await this.manager(scope).query(
      `SELECT status, jurisdiction_id FROM task WHERE segment_id = ANY($1::text[]) AND status IN (${OPEN_SQL}, 'verified')
        ORDER BY segment_id, countermeasure, id FOR UPDATE`,
      [[...new Set(segmentIds)]],
    );
    return [...new Set(rows.flatMap((r) => (r.status === 'verified' && r.jurisdiction_id !== null ? [r.jurisdiction_id] : [])))];
  }

  /** `linkHazards` for many tasks with one statement: each task's hazards appended in the given order. */
  async linkHazardsMany(links: readonly { taskId: string; hazardId: string }[], scope: TxScope): Promise<void> {
    if (!links.length) return;
    await this.manager(scope).query(
      `WITH l AS (
         SELECT task_id, array_agg(hazard_id ORDER BY n) AS ids
           FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x (task_id, hazard_id, n) GROUP BY task_id
       )
       UPDATE task t SET hazard_ids = ARRAY(
                 SELECT h FROM (SELECT DISTINCT ON (h) h, n FROM unnest(t.hazard_ids || l.ids) WITH ORDINALITY AS u(h, n) ORDER BY h, n) d
                  ORDER BY n)
         FROM l WHERE t.id = l.task_id`,
      [links.map((l) => l.taskId), links.map((l) => l.hazardId)],
    );
  }

  /** Open tasks of a segment that no crew holds (waiting for a jurisdiction or a crew). */
  async lockUnassigned(segmentId: string, scope: TxScope): Promise<TaskRecord[]> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE segment_id = $1 AND crew_id IS NULL AND status IN ('created', 'reopened') ORDER BY created_at, id FOR UPDATE`,
      [segmentId],
    );
    return rows.map(toRecord);
  }

  /** Open tasks waiting for a crew in a jurisdiction, oldest first, locked for routing. */
  async lockUnassignedIn(jurisdictionId: string, scope: TxScope): Promise<TaskRecord[]> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE jurisdiction_id = $1 AND crew_id IS NULL AND status IN ('created', 'reopened')
        ORDER BY created_at, id FOR UPDATE`,
      [jurisdictionId],
    );
    return rows.map(toRecord);
  }

  /** Open tasks waiting for a crew outside every jurisdiction or in one without a crew, oldest first, locked for routing. */
  async lockUnassignedWithoutCrew(scope: TxScope): Promise<TaskRecord[]> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task t WHERE t.crew_id IS NULL AND t.status IN ('created', 'reopened')
          AND (t.jurisdiction_id IS NULL OR NOT EXISTS (SELECT 1 FROM crew c WHERE c.jurisdiction_id = t.jurisdiction_id))
        ORDER BY t.created_at, t.id FOR UPDATE OF t`,
    );
    return rows.map(toRecord);
  }

  async hasRuleTask(segmentId: string, rule: string, countermeasure: string, scope: TxScope): Promise<boolean> {
    const rows: unknown[] = await this.manager(scope).query(
      `SELECT 1 FROM task WHERE segment_id = $1 AND rule = $2 AND countermeasure = $3 LIMIT 1`,
      [segmentId, rule, countermeasure],
    );
    return rows.length > 0;
  }

  /** Overdue tasks not escalated yet; SKIP LOCKED lets several replicas escalate side by side. */
  async lockOverdueUnescalated(now: Date, limit: number, scope: TxScope): Promise<TaskRecord[]> {
    const rows: Row[] = await this.manager(scope).query(
      `SELECT * FROM task WHERE escalated_at IS NULL AND ${ON_CLOCK} AND due_at < $1
        ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toRecord);
  }

  async list(filter: TaskFilter, now: Date): Promise<TaskRecord[]> {
    return (await this.search(filter, now)).map((r) => r.task);
  }

  /**
   * Tasks matching a filter, newest first (ties by id), with their segment's midpoint; keyset paging
   * through `filter.after` compares the creation time in whole microseconds, as stored.
   */
  async search(filter: TaskFilter, now: Date): Promise<LocatedTask[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.segmentId) add((p) => `t.segment_id = ${p}`, filter.segmentId);
    if (filter.status?.length) add((p) => `t.status = ANY(${p}::text[])`, filter.status);
    if (filter.jurisdictionId) add((p) => `t.jurisdiction_id = ${p}`, filter.jurisdictionId);
    if (filter.crewId) add((p) => `t.crew_id = ${p}`, filter.crewId);
    if (filter.priority) add((p) => `t.priority = ${p}`, filter.priority);
    if (filter.overdue === true) add((p) => `(${T_ON_CLOCK} AND t.due_at < ${p})`, now);
    if (filter.overdue === false) add((p) => `NOT (${T_ON_CLOCK} AND t.due_at < ${p})`, now);
    if (filter.bbox) {
      const box = (p: string) => `ST_MakeEnvelope((${p}::float8[])[1], (${p}::float8[])[2], (${p}::float8[])[3], (${p}::float8[])[4], 4326)`;
      add((p) => `s.geom && ${box(p)} AND ST_Intersects(ST_LineInterpolatePoint(s.geom, 0.5), ${box(p)})`, filter.bbox);
    }
    if (filter.after) {
      params.push(filter.after.createdAtUs, filter.after.id);
      const [us, id] = [`$${params.length - 1}::bigint`, `$${params.length}::uuid`];
      where.push(`(${CREATED_US} < ${us} OR (${CREATED_US} = ${us} AND t.id > ${id}))`);
    }
    params.push(filter.limit, filter.offset);
    const rows: Row[] = await this.dataSource.query(
      `SELECT t.*, ${CREATED_US}::text AS cursor_us,
              ST_X(ST_LineInterpolatePoint(s.geom, 0.5)) AS mid_lon, ST_Y(ST_LineInterpolatePoint(s.geom, 0.5)) AS mid_lat
         FROM task t LEFT JOIN segment_ref s ON s.segment_id = t.segment_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY t.created_at DESC, t.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      task: toRecord(r),
      location: r.mid_lon === null ? null : { lon: Number(r.mid_lon), lat: Number(r.mid_lat) },
      cursor: { createdAtUs: String(r.cursor_us), id: String(r.id) },
    }));
  }

  /** Open, overdue, overdue p1 and due-soon counts per jurisdiction (only jurisdictions with tasks appear). */
  /** Open, overdue and unassigned tasks across every jurisdiction (and none), by priority. */
  async totals(now: Date): Promise<{ priority: string; open: number; overdue: number; unassigned: number }[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT priority,
              count(*) FILTER (WHERE status IN (${OPEN_SQL}))::int AS open,
              count(*) FILTER (WHERE ${ON_CLOCK} AND due_at < $1)::int AS overdue,
              count(*) FILTER (WHERE status IN (${OPEN_SQL}) AND crew_id IS NULL)::int AS unassigned
         FROM task GROUP BY priority ORDER BY priority`,
      [now],
    );
    return rows.map((r) => ({ priority: String(r.priority), open: Number(r.open), overdue: Number(r.overdue), unassigned: Number(r.unassigned) }));
  }

  async workload(now: Date, atRiskHours: number, jurisdictionId?: string): Promise<WorkloadRow[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT jurisdiction_id,
              count(*) FILTER (WHERE status IN (${OPEN_SQL}))::int AS open,
              count(*) FILTER (WHERE ${ON_CLOCK} AND due_at < $1)::int AS overdue,
              count(*) FILTER (WHERE ${ON_CLOCK} AND due_at < $1 AND priority = 'p1')::int AS overdue_p1,
              count(*) FILTER (WHERE ${ON_CLOCK} AND due_at >= $1
                                 AND due_at <= $1 + make_interval(secs => $2 * 3600))::int AS due_soon
         FROM task
        WHERE jurisdiction_id IS NOT NULL AND ($3::text IS NULL OR jurisdiction_id = $3)
        GROUP BY jurisdiction_id`,
      [now, atRiskHours, jurisdictionId ?? null],
    );
    return rows.map((r) => ({
      jurisdictionId: String(r.jurisdiction_id),
      open: Number(r.open),
      overdue: Number(r.overdue),
      overdueP1: Number(r.overdue_p1),
      dueSoon: Number(r.due_soon),
    }));
  }

  async insertHistory(h: HistoryEntry, scope: TxScope): Promise<void> {
    await this.manager(scope).query(
      `INSERT INTO task_history (task_id, version, change, from_status, to_status, actor_role, actor_id, reason, details, event_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [h.taskId, h.version, h.change, h.fromStatus, h.toStatus, h.actor.role, h.actor.id, h.reason, h.details ? JSON.stringify(h.details) : null, h.eventId, h.occurredAt],
    );
  }

  /** Inserts audit-trail entries with one statement, in the given order. */
  async insertHistoryMany(entries: readonly HistoryEntry[], scope: TxScope): Promise<void> {
    if (!entries.length) return;
    const column = <T>(f: (h: HistoryEntry) => T) => entries.map(f);
    await this.manager(scope).query(
      `INSERT INTO task_history (task_id, version, change, from_status, to_status, actor_role, actor_id, reason, details, event_id, occurred_at)
       SELECT task_id, version, change, from_status, to_status, actor_role, actor_id, reason, details, event_id, occurred_at
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::uuid[], $11::timestamptz[])
              WITH ORDINALITY AS h (task_id, version, change, from_status, to_status, actor_role, actor_id, reason, details, event_id, occurred_at, n)
        ORDER BY n`,
      [
        column((h) => h.taskId),
        column((h) => h.version),
        column((h) => h.change),
        column((h) => h.fromStatus),
        column((h) => h.toStatus),
        column((h) => h.actor.role),
        column((h) => h.actor.id),
        column((h) => h.reason),
        column((h) => (h.details ? JSON.stringify(h.details) : null)),
        column((h) => h.eventId),
        column((h) => h.occurredAt.toISOString()),
      ],
    );
  }

  async history(taskId: string): Promise<HistoryEntry[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM task_history WHERE task_id = $1 ORDER BY id`, [taskId]);
    return rows.map((r) => ({
      taskId: String(r.task_id),
      version: Number(r.version),
      change: String(r.change),
      fromStatus: (r.from_status as HistoryEntry['fromStatus']) ?? null,
      toStatus: r.to_status as HistoryEntry['toStatus'],
      actor: { role: String(r.actor_role), id: String(r.actor_id) },
      reason: (r.reason as string | null) ?? null,
      details: (r.details as Record<string, unknown> | null) ?? null,
      eventId: (r.event_id as string | null) ?? null,
      occurredAt: new Date(r.occurred_at as string),
    }));
  }

  /** A crew command already done under an idempotency key of this actor, if any. */
  async findCommandKey(actorId: string, key: string, scope: TxScope): Promise<CommandKey | null> {
    const rows: Row[] = await this.manager(scope).query(`SELECT * FROM task_command_key WHERE actor_id = $1 AND key = $2`, [actorId, key]);
    return rows.length
      ? { actorId: String(rows[0].actor_id), key: String(rows[0].key), taskId: String(rows[0].task_id), action: String(rows[0].action), version: Number(rows[0].version) }
      : null;
  }

  async insertCommandKey(k: CommandKey, scope: TxScope): Promise<void> {
    await this.manager(scope).query(`INSERT INTO task_command_key (actor_id, key, task_id, action, version) VALUES ($1, $2, $3, $4, $5)`, [
      k.actorId, k.key, k.taskId, k.action, k.version,
    ]);
  }

  /** Submitted tasks waiting for an inspector, the longest-waiting first, with their segment's midpoint. */
  async submittedOldestFirst(limit: number, jurisdictionId?: string): Promise<LocatedTask[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT t.*, ${CREATED_US}::text AS cursor_us,
              ST_X(ST_LineInterpolatePoint(s.geom, 0.5)) AS mid_lon, ST_Y(ST_LineInterpolatePoint(s.geom, 0.5)) AS mid_lat
         FROM task t LEFT JOIN segment_ref s ON s.segment_id = t.segment_id
        WHERE t.status = 'submitted' AND ($2::text IS NULL OR t.jurisdiction_id = $2)
        ORDER BY t.submitted_at, t.id LIMIT $1`,
      [limit, jurisdictionId ?? null],
    );
    return rows.map((r) => ({
      task: toRecord(r),
      location: r.mid_lon === null ? null : { lon: Number(r.mid_lon), lat: Number(r.mid_lat) },
      cursor: { createdAtUs: String(r.cursor_us), id: String(r.id) },
    }));
  }

  /** The latest evidence of each task. */
  async latestEvidence(taskIds: string[]): Promise<Map<string, EvidenceRecord>> {
    const all = taskIds.length ? await this.evidenceWhere(`task_id = ANY($1::uuid[])`, [taskIds]) : [];
    return new Map(all.map((e) => [e.taskId, e]));
  }

  async insertEvidence(e: EvidenceRecord, scope: TxScope): Promise<void> {
    await this.manager(scope).query(
      `INSERT INTO task_evidence (id, task_id, crew_id, submitted_by, photos, location, accuracy_m, captured_at, notes, checks, submitted_at)
       VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8, $9, $10, $11, $12)`,
      [e.id, e.taskId, e.crewId, e.submittedBy, JSON.stringify(e.photos), e.lon, e.lat, e.accuracyM, e.capturedAt, e.notes, JSON.stringify(e.checks), e.submittedAt],
    );
  }

  async evidence(taskId: string): Promise<EvidenceRecord[]> {
    return this.evidenceWhere(`task_id = $1`, [taskId]);
  }

  /** Evidence rows, oldest first. */
  private async evidenceWhere(where: string, params: unknown[]): Promise<EvidenceRecord[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT *, ST_X(location) AS lon, ST_Y(location) AS lat FROM task_evidence WHERE ${where} ORDER BY seq`,
      params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      taskId: String(r.task_id),
      crewId: (r.crew_id as string | null) ?? null,
      submittedBy: String(r.submitted_by),
      photos: r.photos as EvidenceRecord['photos'],
      lon: Number(r.lon),
      lat: Number(r.lat),
      accuracyM: Number(r.accuracy_m),
      capturedAt: new Date(r.captured_at as string),
      notes: (r.notes as string | null) ?? null,
      checks: r.checks as EvidenceRecord['checks'],
      submittedAt: new Date(r.submitted_at as string),
    }));
  }
}

type Row = Record<string, unknown>;

/** TypeORM returns `[rows, rowCount]` for UPDATE and DELETE, plain rows otherwise. */
function rowsOf(result: unknown): Row[] {
  return isTuple(result) ? result[0] : (result as Row[]);
}
function affected(result: unknown): number {
  return isTuple(result) ? result[1] : (result as Row[]).length;
}
function isTuple(result: unknown): result is [Row[], number] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function toRecord(r: Row): TaskRecord {
  return {
    id: String(r.id),
    segmentId: String(r.segment_id),
    countermeasure: r.countermeasure as TaskRecord['countermeasure'],
    side: (r.side as TaskRecord['side']) ?? null,
    status: r.status as TaskRecord['status'],
    priority: r.priority as TaskRecord['priority'],
    reason: String(r.reason),
    rule: r.rule as TaskRecord['rule'],
    hazardIds: (r.hazard_ids as string[]) ?? [],
    sourceEventId: String(r.source_event_id),
    correlationId: String(r.correlation_id),
    riskLevel: (r.risk_level as string | null) ?? null,
    riskScore: r.risk_score === null ? null : Number(r.risk_score),
    jurisdictionId: (r.jurisdiction_id as string | null) ?? null,
    crewId: (r.crew_id as string | null) ?? null,
    version: Number(r.version),
    fixFailed: Boolean(r.fix_failed),
    duplicateOf: (r.duplicate_of as string | null) ?? null,
    statusReason: (r.status_reason as string | null) ?? null,
    reopenCount: Number(r.reopen_count),
    dueAt: new Date(r.due_at as string),
    acceptedAt: date(r.accepted_at),
    submittedAt: date(r.submitted_at),
    verifiedAt: date(r.verified_at),
    closedAt: date(r.closed_at),
    escalatedAt: date(r.escalated_at),
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
  };
}
