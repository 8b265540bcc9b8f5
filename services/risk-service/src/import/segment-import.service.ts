import { Injectable } from '@nestjs/common';
import { describeIssues } from '@roadloop/contracts';
import { TransactionRunner } from '@roadloop/persistence';
import { RankingStore } from '../risk/ranking.store';
import { RISK_MODEL, assessRisk, reachPieceOf, roadOf } from '../risk/risk-model';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { SegmentRecord, SegmentRepository } from '../segments/segment.repository';
import { segmentFeatureSchema } from './segment-feature.schema';

export interface ImportReport {
  read: number;
  inserted: number;
  updated: number;
  rejected: { index: number; reason: string }[];
  ranked: number;
}

const KNOWN_KEYS = new Set(['id', 'osmWayId', 'index', 'lengthM', 'roadClass', 'name', 'exposureScore', 'exposureLevel', 'factors']);

/**
 * Loads scored segments into the risk service's tables. Idempotent: ids are stable, so importing
 * the same region again updates rows in place. Invalid features are reported by index and skipped;
 * the valid ones are imported in one transaction.
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
   * class's assumed volume.
   */
  async importFeatures(features: readonly unknown[], aadt: ReadonlyMap<string, number> = new Map()): Promise<ImportReport> {
    const records: SegmentRecord[] = [];
    const rejected: ImportReport['rejected'] = [];
    const seen = new Set<string>();
    features.forEach((feature, index) => {
      const parsed = segmentFeatureSchema.safeParse(feature);
      if (!parsed.success) {
        rejected.push({ index, reason: describeIssues(parsed.error) });
        return;
      }
      const p = parsed.data.properties;
      if (seen.has(p.id)) {
        rejected.push({ index, reason: `duplicate segment id ${p.id}` });
        return;
      }
      seen.add(p.id);
      const attributes: Record<string, unknown> = Object.fromEntries(Object.entries(p).filter(([k]) => !KNOWN_KEYS.has(k)));
      const counted = aadt.get(p.id) ?? aadt.get(String(p.osmWayId));
      if (counted !== undefined) attributes.aadt = counted;
      records.push({
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
      });
    });
    const byPiece = new Map(records.map((r) => [`${r.osmWayId}:${r.index}`, r]));
    const result = await this.tx.run(async (scope) => {
      const counts = await this.segments.upsert(records, scope);
      await this.risks.seedMissing(
        records.map((r) => {
          // Seeded from traffic and design alone (no crash known yet), over the same reach a re-score pools.
          const neighbours = [r.index - 1, r.index + 1].flatMap((i) => {
            const n = byPiece.get(`${r.osmWayId}:${i}`);
            return n ? [reachPieceOf(n)] : [];
          });
          const { score, level, alarm, factors } = assessRisk({ road: roadOf(r), neighbours, hazards: [], crashes: [], now: new Date() });
          return { segmentId: r.id, score, level, alarm, factors, exposureScore: r.exposureScore, modelVersion: RISK_MODEL.version };
        }),
        scope,
      );
      return counts;
    });
    const ranked = await this.ranking.rebuild().catch(() => 0);
    return { read: features.length, ...result, rejected, ranked };
  }
}
