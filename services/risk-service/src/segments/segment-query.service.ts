import { Injectable } from '@nestjs/common';
import { Principal, readViewOf } from '@roadloop/auth';
import { AppError } from '@roadloop/core';
import { feature, featureCollection } from '@roadloop/http';
import { AccidentRepository } from '../accidents/accident.repository';
import { HazardRepository } from '../hazards/hazard.repository';
import { csvOf } from '../queries/formats';
import { TopQuery } from '../queries/query-schemas';
import { RankedSegmentDetail, RankingRepository } from '../risk/ranking.repository';
import { RankedSegmentSummary, RankingStore } from '../risk/ranking.store';
import { designRange } from '../risk/exposure-adjuster';
import { RoadsideInventoryRepository } from '../roadside/roadside-inventory.repository';
import { RISK_MODEL, designStars } from '../risk/risk-model';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { RISK_LEVELS, RiskLevel } from '@roadloop/contracts';
import { TaskStateRepository } from '../tasks/task-state.repository';
import { SegmentRepository } from './segment.repository';

export class SegmentNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'SEGMENT_NOT_FOUND', `no segment with id ${id}`);
  }
}

export const TOP_CSV_COLUMNS = [
  'rank', 'segmentId', 'score', 'level', 'alarm', 'roadClass', 'name', 'jurisdictionId', 'jurisdictionName', 'waterSide', 'cliffSide', 'lengthM', 'wkt',
] as const;

@Injectable()
export class SegmentQueryService {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly risks: SegmentRiskRepository,
    private readonly hazards: HazardRepository,
    private readonly accidents: AccidentRepository,
    private readonly tasks: TaskStateRepository,
    private readonly ranking: RankingStore,
    private readonly rankings: RankingRepository,
    private readonly roadside: RoadsideInventoryRepository,
  ) {}

  /** The riskiest segments, filtered, with what a list or a map needs to show them. */
  async top(q: TopQuery) {
    const { limit, format, ...filters } = q;
    const ranked = await this.ranking.top(filters, limit);
    const ids = ranked.items.map((r) => r.segmentId);
    // A list is served from Redis alone; maps and exports need geometry from PostGIS.
    const details: Map<string, Partial<RankedSegmentDetail> & RankedSegmentSummary> =
      format === 'json' ? await this.ranking.details(ids) : await this.rankings.describe(ids, format === 'csv' ? 'wkt' : 'geojson');
    const rows = ranked.items.flatMap((r, i) => {
      const d = details.get(r.segmentId);
      if (!d) return [];
      const { geometry = null, wkt = null, segmentId: _id, ...rest } = d;
      return [{ item: { rank: i + 1, segmentId: r.segmentId, score: r.score, ...rest }, geometry, wkt }];
    });
    const items = rows.map((r) => r.item);
    if (format === 'csv') return csvOf(TOP_CSV_COLUMNS, rows.map((r) => ({ ...r.item, wkt: r.wkt })));
    if (format === 'geojson') {
      return featureCollection(rows.map((r) => feature(r.item.segmentId, r.geometry, r.item)), { source: ranked.source, filters });
    }
    return { source: ranked.source, filters, items };
  }

  /**
   * A segment's page, cut to what the caller's role sees (the read policy): a crew gets how many
   * crashes there were but not the crash records, no tasks (this service does not know their crews;
   * a crew lists its own with `GET /v1/tasks?segmentId=`), and the causes of the score's history by
   * kind only.
   */
  async detail(id: string, principal: Principal) {
    const segment = await this.segments.exposureOf(id);
    if (!segment) throw new SegmentNotFoundError(id);
    const view = readViewOf(principal);
    const records = view.crashes === 'records';
    const allTasks = view.tasks === 'all';
    const [place, risk, hazards, crashes, treatments, tasks, history, recorded] = await Promise.all([
      this.segments.placeOf(id),
      this.risks.find(id),
      this.hazards.onSegment(id, 100),
      this.accidents.onSegmentSince(id, new Date(0)),
      this.tasks.verifiedOn(id),
      allTasks ? this.tasks.onSegment(id) : Promise.resolve(null),
      this.risks.history(id, 100),
      this.roadside.of(id),
    ]);
    const range = designRange(segment, treatments, recorded);
    return {
      id,
      ...segment,
      geometry: place?.geometry ?? null,
      jurisdictionId: place?.jurisdictionId ?? null,
      jurisdictionName: place?.jurisdictionName ?? null,
      // The roadside design rating (the engine's static exposure, after verified and recorded guardrails) beside
      // the live risk; while a side that matters is unknown, its range from protected to unprotected.
      designRating: {
        ...designRatingOf(segment.exposureLevel, risk?.exposureScore ?? segment.exposureScore),
        range: range && {
          unknownSides: range.unknownSides,
          protected: designRatingOf(range.protected.level, range.protected.score),
          unprotected: designRatingOf(range.unprotected.level, range.unprotected.score),
        },
      },
      // Each side's guardrail as the task service recorded it (a side not listed: nothing recorded, the map decides).
      roadside: recorded,
      risk: risk ? { ...risk, unit: RISK_MODEL.unit.long } : null,
      openHazards: hazards.filter((h) => h.status === 'open'),
      hazards,
      crashCount: crashes.length,
      ...(records ? { crashes } : {}),
      ...(tasks ? { tasks } : {}),
      verifiedCountermeasures: treatments,
      history: records ? history : history.map((h) => ({ ...h, cause: causeKind(h.cause) })),
    };
  }
}

function designRatingOf(level: string, score: number) {
  const known = (RISK_LEVELS as readonly string[]).includes(level);
  return { score, level, stars: known ? designStars(level as RiskLevel) : null };
}

/** A history entry's cause without what identifies a crash (its id leads to its record). */
function causeKind(cause: unknown): unknown {
  return cause && typeof cause === 'object' && 'kind' in cause ? { kind: (cause as { kind: unknown }).kind } : null;
}
