import { Injectable } from '@nestjs/common';
import { describeIssues } from '@roadloop/contracts';
import { TransactionRunner, type TxScope } from '@roadloop/persistence';
import { RankingStore } from '../risk/ranking.store';
import { RISK_MODEL, assessRisk, reachPieceOf, roadOf } from '../risk/risk-model';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { SegmentRecord, SegmentRepository } from '../segments/segment.repository';
import { segmentFeatureSchema } from './segment-feature.schema';

export interface ImportReport {
  read: number;
  inserted: number;
  updated: number;
  /** How many features were rejected. */
  rejectedCount: number;
  /** The first `REJECTIONS_LISTED` of them, by index, with the reason. */
  rejected: { index: number; reason: string }[];
  ranked: number;
}

/** Rejected features listed by an import (all are counted): a file of millions of bad features would otherwise be held in memory as reasons. */
export const REJECTIONS_LISTED = 1_000;

const KNOWN_KEYS = new Set(['id', 'osmWayId', 'index', 'lengthM', 'roadClass', 'name', 'exposureScore', 'exposureLevel', 'factors']);

/** Segments written per batch, and seeded per page: what the import holds at a time besides its report. */
export const IMPORT_BATCH_SIZE = 5_000;

/**
 * Loads scored segments into the risk service's tables. Idempotent: ids are stable, so importing
 * the same region again updates rows in place. Invalid features are reported by index and skipped;
 * the valid ones are imported in one transaction, all or none.
 *
 * Features are taken one by one from an iterable (a file read as a stream) and written in batches,
 * so memory is one batch whatever the region's size. A repeated id is found by the database, not
 * by a set of every id: each row written carries the transaction's `now()`, and a later feature
 * with the id of a row this import already wrote is rejected as a duplicate (the first is kept).
 * Risk is seeded once every segment is written, from the table a page at a time, so a way whose
 * pieces fall in different batches gets the same neighbours as if it had been read whole.
 */
@Injectable()
export class SegmentImportService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly segments: SegmentRepository,
    private readonly risks: SegmentRiskRepository,
    private readonly ranking: RankingStore,
  ) {}

  /**
   * `aadt`: traffic counts where a region has them, by segment id (`w123-4`) or OSM way id (`123`):
   * stored with the segment (attribute `aadt`) and used by the risk model instead of the road
   * class's assumed volume. `batchSize`: segments per write and per page of risk seeding.
   */
  async importFeatures(
    features: Iterable<unknown> | AsyncIterable<unknown>,
    aadt: ReadonlyMap<string, number> = new Map(),
    batchSize = IMPORT_BATCH_SIZE,
  ): Promise<ImportReport> {
    const rejected = new Rejections(REJECTIONS_LISTED);
    let read = 0;
    const result = await this.tx.run(async (scope) => {
      const counts = { inserted: 0, updated: 0 };
      let batch: { index: number; record: SegmentRecord }[] = [];
      const ids = new Set<string>();
      const flush = async () => {
        const written = await this.segments.upsert(batch.map((b) => b.record), scope);
        counts.inserted += written.inserted;
        counts.updated += written.updated;
        const repeated = new Set(written.repeated);
        for (const { index, record } of batch) if (repeated.has(record.id)) rejected.add(index, duplicate(record.id));
        batch = [];
        ids.clear();
      };
      for await (const feature of features) {
        const index = read++;
        const record = segmentRecordOf(feature, aadt);
        if (typeof record === 'string') rejected.add(index, record);
        else if (ids.has(record.id)) rejected.add(index, duplicate(record.id));
        else {
          ids.add(record.id);
          batch.push({ index, record });
          if (batch.length >= batchSize) await flush();
        }
      }
      if (batch.length) await flush();
      await this.segments.analyze(scope);
      await this.seedRisks(batchSize, scope);
      return counts;
    });
    const ranked = await this.ranking.rebuild().catch(() => 0);
    return { read, ...result, rejectedCount: rejected.count, rejected: rejected.first(), ranked };
  }

  /**
   * Seeds the risk of every segment this transaction wrote that has none yet, from traffic and
   * design alone (no crash known yet), over the same reach a re-score pools: its neighbours on the
   * way among the imported segments.
   */
  private async seedRisks(pageSize: number, scope: TxScope): Promise<void> {
    for (let after: string | null = ''; after !== null; ) {
      const { reaches, lastId } = await this.segments.writtenReaches(after, pageSize, scope);
      await this.risks.seedMissing(
        reaches.map((r) => {
          const neighbours = r.neighbours.map((n) => reachPieceOf(n));
          const { score, level, alarm, factors } = assessRisk({ road: roadOf(r), neighbours, hazards: [], crashes: [], now: new Date() });
          return { segmentId: r.id, score, level, alarm, factors, exposureScore: r.exposureScore, modelVersion: RISK_MODEL.version };
        }),
        scope,
      );
      after = lastId;
    }
  }
}

const duplicate = (id: string) => `duplicate segment id ${id}`;

/**
 * Rejections counted, and the first `limit` by index kept. They arrive nearly in index order (a
 * batch's repeated ids after the invalid features read with it), so the list is cut back to the
 * first `limit` whenever it reaches twice that.
 */
export class Rejections {
  count = 0;
  private kept: { index: number; reason: string }[] = [];

  constructor(private readonly limit: number) {}

  add(index: number, reason: string): void {
    this.count++;
    this.kept.push({ index, reason });
    if (this.kept.length >= 2 * this.limit) this.kept = this.first();
  }

  /** How many are held now: less than twice the limit. */
  get held(): number {
    return this.kept.length;
  }

  first(): { index: number; reason: string }[] {
    return [...this.kept].sort((a, b) => a.index - b.index).slice(0, this.limit);
  }
}

/** The segment a feature describes, or why it cannot be imported. */
export function segmentRecordOf(feature: unknown, aadt: ReadonlyMap<string, number>): SegmentRecord | string {
  const parsed = segmentFeatureSchema.safeParse(feature);
  if (!parsed.success) return describeIssues(parsed.error);
  const p = parsed.data.properties;
  const attributes: Record<string, unknown> = Object.fromEntries(Object.entries(p).filter(([k]) => !KNOWN_KEYS.has(k)));
  const counted = aadt.get(p.id) ?? aadt.get(String(p.osmWayId));
  if (counted !== undefined) attributes.aadt = counted;
  return {
    id: p.id,
    osmWayId: p.osmWayId,
    index: p.index,
    roadClass: p.roadClass,
    name: p.name ?? null,
    lengthM: p.lengthM,
    geometry: { type: 'LineString', coordinates: parsed.data.geometry.coordinates.map(([lon, lat]) => [lon, lat]) },
    attributes,
    exposureScore: p.exposureScore,
    exposureLevel: p.exposureLevel,
    exposureFactors: p.factors ?? [],
  };
}
