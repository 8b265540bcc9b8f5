import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { InventoryState, ProgrammeCandidate, ProgrammeSegment, Stretch } from '@roadloop/geo';
import { TxScope, managerOf } from '@roadloop/persistence';

export type ProgrammeStatus = 'draft' | 'approved';

export interface ProgrammeSummary {
  solverStatus: string;
  candidates: number;
  greedy: { cost: number; fsiPrevented: number; items: number };
  naive: { cost: number; fsiPrevented: number; items: number };
  toSurvey: { stretches: number; km: number };
  costPerFsi: number;
  unknownInventoryAs: string;
}

export interface ProgrammeRecord {
  id: string;
  year: number;
  budget: number;
  currency: string;
  status: ProgrammeStatus;
  cost: number;
  fsiPrevented: number;
  summary: ProgrammeSummary;
  createdBy: string;
  createdAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
}

export interface ProgrammeItem {
  itemNo: number;
  stretchId: string;
  roadKey: string;
  side: 'left' | 'right' | 'both';
  need: string;
  countermeasure: ProgrammeCandidate['countermeasure'];
  lengthM: number;
  cost: number;
  fsiPrevented: number;
  bcr: number;
  serviceLifeYears: number;
  members: Stretch['members'];
  geometry: { type: 'MultiLineString'; coordinates: [number, number][][] };
  taskId: string | null;
}

/** Owns `programme` and `programme_item`; reads the segments, inventory and hazards a programme is computed from. */
@Injectable()
export class ProgrammeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every known segment as the programme core reads it, with an open rockfall where one is reported. */
  async segments(): Promise<(Omit<ProgrammeSegment, 'roadKey'> & { name: string | null })[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT s.segment_id, s.road_class, s.name, s.length_m, s.profile, ST_AsGeoJSON(s.geom)::json -> 'coordinates' AS coordinates,
              EXISTS (SELECT 1 FROM segment_hazard h WHERE h.segment_id = s.segment_id AND h.resolved_at IS NULL
                         AND h.category IN ('rockfall', 'landslide')) AS rockfall
         FROM segment_ref s ORDER BY s.segment_id`,
    );
    return rows.map((r) => ({
      segmentId: String(r.segment_id),
      name: (r.name as string | null) ?? null,
      roadClass: String(r.road_class),
      lengthM: Number(r.length_m),
      coordinates: r.coordinates as [number, number][],
      attributes: r.profile as ProgrammeSegment['attributes'],
      rockfall: Boolean(r.rockfall),
    }));
  }

  /** The surveyed or imported state of every side, by `segmentId:side`. */
  async inventory(): Promise<Map<string, InventoryState>> {
    const rows: { segment_id: string; side: string; status: InventoryState }[] = await this.dataSource.query(`SELECT segment_id, side, status FROM roadside_inventory`);
    return new Map(rows.map((r) => [`${r.segment_id}:${r.side}`, r.status]));
  }

  async insert(p: ProgrammeRecord, items: readonly ProgrammeItem[], scope: TxScope): Promise<void> {
    const m = managerOf(this.dataSource, scope);
    await m.query(
      `INSERT INTO programme (id, year, budget, currency, status, cost, fsi_prevented, summary, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [p.id, p.year, p.budget, p.currency, p.status, p.cost, p.fsiPrevented, JSON.stringify(p.summary), p.createdBy, p.createdAt],
    );
    for (const i of items) {
      await m.query(
        `INSERT INTO programme_item (programme_id, item_no, stretch_id, road_key, side, need, countermeasure, length_m, cost, fsi_prevented, bcr,
                                     service_life_years, members, geom)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ST_SetSRID(ST_GeomFromGeoJSON($14), 4326))`,
        [p.id, i.itemNo, i.stretchId, i.roadKey, i.side, i.need, i.countermeasure, i.lengthM, i.cost, i.fsiPrevented, i.bcr, i.serviceLifeYears,
          JSON.stringify(i.members), JSON.stringify(i.geometry)],
      );
    }
  }

  /** Programmes newest first, without their items (how many each has instead). */
  async list(limit: number): Promise<(ProgrammeRecord & { itemCount: number })[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT p.*, (SELECT count(*)::int FROM programme_item i WHERE i.programme_id = p.id) AS item_count
         FROM programme p ORDER BY p.created_at DESC, p.id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ ...recordOf(r), itemCount: Number(r.item_count) }));
  }

  /** A programme, locked for update within `scope` when given. */
  async find(id: string, scope?: TxScope): Promise<ProgrammeRecord | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM programme WHERE id = $1${scope ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows.length ? recordOf(rows[0]) : null;
  }

  async items(programmeId: string, scope?: TxScope): Promise<ProgrammeItem[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT *, ST_AsGeoJSON(geom)::json AS geometry FROM programme_item WHERE programme_id = $1 ORDER BY item_no`,
      [programmeId],
    );
    return rows.map((r) => ({
      itemNo: Number(r.item_no),
      stretchId: String(r.stretch_id),
      roadKey: String(r.road_key),
      side: r.side as ProgrammeItem['side'],
      need: String(r.need),
      countermeasure: r.countermeasure as ProgrammeItem['countermeasure'],
      lengthM: Number(r.length_m),
      cost: Number(r.cost),
      fsiPrevented: Number(r.fsi_prevented),
      bcr: Number(r.bcr),
      serviceLifeYears: Number(r.service_life_years),
      members: r.members as ProgrammeItem['members'],
      geometry: r.geometry as ProgrammeItem['geometry'],
      taskId: (r.task_id as string | null) ?? null,
    }));
  }

  async approve(id: string, by: string, at: Date, itemTasks: ReadonlyMap<number, string>, scope: TxScope): Promise<void> {
    const m = managerOf(this.dataSource, scope);
    await m.query(`UPDATE programme SET status = 'approved', approved_by = $2, approved_at = $3 WHERE id = $1`, [id, by, at]);
    for (const [itemNo, taskId] of itemTasks) {
      await m.query(`UPDATE programme_item SET task_id = $3 WHERE programme_id = $1 AND item_no = $2`, [id, itemNo, taskId]);
    }
  }
}

function recordOf(r: Record<string, unknown>): ProgrammeRecord {
  return {
    id: String(r.id),
    year: Number(r.year),
    budget: Number(r.budget),
    currency: String(r.currency),
    status: r.status as ProgrammeStatus,
    cost: Number(r.cost),
    fsiPrevented: Number(r.fsi_prevented),
    summary: r.summary as ProgrammeSummary,
    createdBy: String(r.created_by),
    createdAt: new Date(r.created_at as string),
    approvedBy: (r.approved_by as string | null) ?? null,
    approvedAt: r.approved_at ? new Date(r.approved_at as string) : null,
  };
}
