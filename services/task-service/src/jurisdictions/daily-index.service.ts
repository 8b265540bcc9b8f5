import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskException } from '../tasks/task.exception';
import { INDEX_METHOD_VERSION, dailyIndex, indexMethod } from './daily-index';
import { DailyIndexRepository, StoredIndexRow, TargetFacts } from './daily-index.repository';
import { MAX_HISTORY_DAYS, addDays, dayStart, daysBetween, utcDay } from './daily-index.schema';
import { JurisdictionRepository } from './jurisdiction.repository';
import { statusColour, statusReasons } from './jurisdiction-status';

/** Tolerance of the map's jurisdiction outlines, in degrees (about 50 m north–south). */
export const MAP_SIMPLIFY_DEG = 0.0005;

/** Days before today that {@link DailyIndexService.record} freezes when they are not frozen yet (a service down over a long weekend). */
export const FREEZE_CATCH_UP_DAYS = 7;

/**
 * The morning report: the daily index of every jurisdiction. Reads compute and never write: today
 * live; a past day as stored once frozen, else for the end of that day from the timestamped facts —
 * keeping the "as of now" indicators (unassigned tasks, red segments) of the last live row recorded
 * that day when there is one. Only {@link record}, run by the service on its own schedule, stores
 * today's live rows and freezes the days that ended, so no caller chooses which rows are written.
 */
@Injectable()
export class DailyIndexService {
  constructor(
    private readonly index: DailyIndexRepository,
    private readonly jurisdictions: JurisdictionRepository,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  async forDay(date?: string) {
    const now = this.clock.now();
    const day = date ?? utcDay(now);
    this.withinRange('date', day, now);
    const areas = await this.jurisdictions.list();
    const rows = await this.rowsFor(areas.map((a) => a.id), [day], now);
    return {
      date: day,
      method: indexMethod(),
      items: areas.map((a) => ({ ...view(rows.get(key(a.id, day))!), name: a.name })),
    };
  }

  async history(jurisdictionId: string, from?: string, to?: string) {
    const area = await this.jurisdictions.find(jurisdictionId);
    if (!area) throw new TaskException('JURISDICTION_NOT_FOUND', `no jurisdiction ${jurisdictionId}`);
    const now = this.clock.now();
    const last = to ?? utcDay(now);
    this.withinRange('to', last, now);
    const first = from ?? addDays(last, -29);
    this.withinRange('from', first, now);
    const days = daysBetween(first, last);
    if (!days.length || days.length > MAX_HISTORY_DAYS) {
      const message = days.length ? `at most ${MAX_HISTORY_DAYS} days at once` : `from must not be after to (${last})`;
      throw new TaskException('INVALID_DATE', message, [{ field: 'from', message }]);
    }
    const rows = await this.rowsFor([jurisdictionId], days, now);
    return {
      jurisdictionId,
      name: area.name,
      from: days[0],
      to: last,
      method: indexMethod(),
      items: days.map((d) => ({ ...view(rows.get(key(jurisdictionId, d))!), name: area.name })),
    };
  }

  /** Jurisdiction outlines for the map, simplified. */
  outlines(): Promise<Map<string, object>> {
    return this.index.simplifiedGeometries(MAP_SIMPLIFY_DEG);
  }

  /**
   * The writer: stores today's live row of every jurisdiction (not frozen) and freezes each of the
   * last {@link FREEZE_CATCH_UP_DAYS} days that ended without a frozen row. Idempotent (a frozen row
   * is never overwritten), so replicas may run it together.
   */
  async record(): Promise<{ live: number; frozen: number }> {
    const now = this.clock.now();
    const today = utcDay(now);
    const areas = await this.jurisdictions.list();
    const { fresh } = await this.compute(areas.map((a) => a.id), daysBetween(addDays(today, -FREEZE_CATCH_UP_DAYS), today), now);
    await this.index.save(fresh);
    const frozen = fresh.filter((r) => r.frozen).length;
    return { live: fresh.length - frozen, frozen };
  }

  /** Rows of these days, computed where none is frozen, without storing anything. */
  private async rowsFor(ids: string[], days: string[], now: Date): Promise<Map<string, StoredIndexRow>> {
    const { byKey, fresh } = await this.compute(ids, days, now);
    // Computed here and not stored: frozen only once the writer has frozen it.
    for (const row of fresh) byKey.set(key(row.jurisdictionId, row.day), { ...row, frozen: false });
    return byKey;
  }

  private async compute(ids: string[], days: string[], now: Date): Promise<{ byKey: Map<string, StoredIndexRow>; fresh: StoredIndexRow[] }> {
    const today = utcDay(now);
    const byKey = new Map<string, StoredIndexRow>();
    if (!ids.length || !days.length) return { byKey, fresh: [] };
    for (const row of await this.index.stored(days[0], days[days.length - 1], ids.length === 1 ? ids[0] : undefined)) {
      byKey.set(key(row.jurisdictionId, row.day), row);
    }
    const todo = ids.flatMap((id) =>
      days.filter((day) => !byKey.get(key(id, day))?.frozen).map((day) => ({ id, day, previous: byKey.get(key(id, day)) })),
    );
    const facts = await this.index.facts(
      todo.map((t) => ({
        jurisdictionId: t.id,
        dayStart: dayStart(t.day),
        // The last millisecond of a past day, or now.
        at: t.day === today ? now : new Date(dayStart(addDays(t.day, 1)).getTime() - 1),
      })),
      this.config.STATUS_AT_RISK_HOURS,
    );
    const fresh = todo.map((t, i) => this.row(t.id, t.day, facts[i], t.day === today ? now : null, t.previous));
    for (const row of fresh) byKey.set(key(row.jurisdictionId, row.day), row);
    return { byKey, fresh };
  }

  /** A day up to today and no older than `DAILY_INDEX_MAX_AGE_DAYS`, or a 400 naming the parameter. */
  private withinRange(field: string, day: string, now: Date): void {
    const today = utcDay(now);
    const oldest = addDays(today, -this.config.DAILY_INDEX_MAX_AGE_DAYS);
    if (day > today) throw new TaskException('INVALID_DATE', `${field} ${day} is after today (${today}, UTC)`, [{ field, message: 'a day up to today (UTC)' }]);
    if (day < oldest) {
      const message = `a day from ${oldest} (${this.config.DAILY_INDEX_MAX_AGE_DAYS} days ago) to today`;
      throw new TaskException('INVALID_DATE', `${field} ${day} is too old: ${message}`, [{ field, message }]);
    }
  }

  /** A row from facts: live (`liveAt` set) or rebuilt for a past day, frozen then. */
  private row(jurisdictionId: string, day: string, computed: TargetFacts, liveAt: Date | null, previous?: StoredIndexRow): StoredIndexRow {
    const live = liveAt !== null;
    const carried = !live && previous?.source === 'live' ? previous.facts : null;
    const facts = live
      ? computed.facts
      : { ...computed.facts, unassignedTasks: carried?.unassignedTasks ?? null, redSegments: carried?.redSegments ?? null };
    const result = dailyIndex(facts);
    const { STATUS_RED_OVERDUE_COUNT: red, STATUS_AT_RISK_HOURS: atRisk } = this.config;
    return {
      jurisdictionId,
      day,
      methodVersion: INDEX_METHOD_VERSION,
      index: result.index,
      band: result.band,
      status: statusColour(computed.workload, red),
      statusReasons: statusReasons(computed.workload, red, atRisk),
      workload: computed.workload,
      facts,
      indicators: result.indicators,
      source: live || carried ? 'live' : 'rebuilt',
      asOf: liveAt ?? new Date(dayStart(addDays(day, 1)).getTime() - 1),
      frozen: !live,
    };
  }
}

const key = (id: string, day: string) => `${id} ${day}`;

/** The public shape of a row. */
function view(row: StoredIndexRow) {
  return {
    jurisdictionId: row.jurisdictionId,
    date: row.day,
    index: row.index,
    band: row.band,
    indicators: row.indicators,
    status: row.status,
    statusReasons: row.statusReasons,
    workload: row.workload,
    source: row.source,
    frozen: row.frozen,
    asOf: row.asOf.toISOString(),
  };
}
export type IndexItem = ReturnType<typeof view> & { name: string };
