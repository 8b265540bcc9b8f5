import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openDatabase } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { RiskConfig } from '../config';
import { RISK_MIGRATIONS } from '../migrations';
import { levelOf } from '../risk/risk-model';
import { SegmentRepository } from '../segments/segment.repository';
import { andorraSegmentRecords } from '../testing/andorra-segments';
import { SegmentFilters } from './query-schemas';
import { SegmentFeatureCache } from './segment-feature.cache';
import { SpatialQueryRepository } from './spatial-query.repository';
import { RawJson, SpatialQueryService } from './spatial-query.service';

jest.setTimeout(120_000);

type BboxQuery = SegmentFilters & { bbox: [number, number, number, number] };

/** Andorra's road box and a part of Andorra la Vella. */
const ALL: BboxQuery['bbox'] = [1.41, 42.41, 1.74, 42.64];
const TOWN: BboxQuery['bbox'] = [1.51, 42.5, 1.53, 42.52];

/**
 * A bounding box of full-resolution GeoJSON answered from the in-memory feature index and, above
 * FEATURE_INDEX_MAX_SEGMENTS, from PostGIS: the same features with the same properties, live
 * scores and unknown roadsides included. Andorra, with scores, recorded roadsides and verified
 * guardrails on some segments.
 */
describe('bounding boxes with and without the feature index', () => {
  const id = runId('featint');
  let db: DataSource;
  const caches: SegmentFeatureCache[] = [];

  async function serviceWith(maxSegments: number): Promise<{ service: SpatialQueryService; cache: SegmentFeatureCache }> {
    const spatial = new SpatialQueryRepository(db);
    const config = { FEATURE_INDEX_MAX_SEGMENTS: maxSegments, MATCHER_REFRESH_MS: 3_600_000 } as RiskConfig;
    const cache = new SegmentFeatureCache(new SegmentRepository(db), spatial, config);
    caches.push(cache);
    await cache.onModuleInit();
    return { service: new SpatialQueryService(spatial, cache), cache };
  }

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    const records = await andorraSegmentRecords();
    await new SegmentRepository(db).upsert(records);
    const ids = records.map((r) => r.id).sort();
    // Every third segment scored, across the levels and alarms.
    const scored = ids.filter((_, i) => i % 3 === 0);
    await db.query(
      `INSERT INTO segment_risk (segment_id, score, level, factors, alarm)
       SELECT x.id, x.score, x.level, '[]', x.alarm FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[]) AS x(id, score, level, alarm)`,
      [scored, scored.map((_, i) => (i * 7.3) % 80), scored.map((_, i) => levelOf((i * 7.3) % 80)), scored.map((_, i) => ['green', 'amber', 'red'][i % 3])],
    );
    // Known roadsides on some segments with sides at stake: recorded by a survey, or a verified guardrail.
    const atStake = (await new SpatialQueryRepository(db).staticSegments()).filter((s) => s.sidesAtStake?.length).map((s) => s.id).sort();
    const recorded = atStake.filter((_, i) => i % 4 === 0);
    const guarded = atStake.filter((_, i) => i % 4 === 1);
    await db.query(
      `INSERT INTO segment_roadside (segment_id, side, status, source, observed_at, announced_at)
       SELECT x.id, x.side, x.status, 'crew_survey', now(), now() FROM unnest($1::text[], $2::text[], $3::text[]) AS x(id, side, status)`,
      [recorded, recorded.map((_, i) => (i % 2 ? 'left' : 'right')), recorded.map((_, i) => ['present', 'absent', 'unknown'][i % 3])],
    );
    await db.query(
      `INSERT INTO task_state (task_id, segment_id, status, countermeasure, side, version, verified_at)
       SELECT x.task_id, x.id, 'verified', 'guardrail', x.side, 1, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(task_id, id, side)`,
      [guarded.map(() => randomUUID()), guarded, guarded.map((_, i) => [null, 'left', 'right'][i % 3])],
    );
  });

  afterAll(async () => {
    for (const cache of caches) cache.onApplicationShutdown();
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
  });

  it('builds the index up to FEATURE_INDEX_MAX_SEGMENTS and not above', async () => {
    expect((await serviceWith(6_058)).cache.index?.size).toBe(6_058);
    expect((await serviceWith(6_057)).cache.index).toBeNull();
  });

  it('answers every box and filter from PostGIS as from the index', async () => {
    const fromIndex = (await serviceWith(6_058)).service;
    const fromPostgis = (await serviceWith(6_057)).service;
    const queries: BboxQuery[] = [
      { bbox: ALL, limit: 5_000, offset: 0 },
      { bbox: ALL, limit: 5_000, offset: 4_000 },
      { bbox: TOWN, limit: 500, offset: 0 },
      { bbox: ALL, level: 'high', limit: 5_000, offset: 0 },
      { bbox: ALL, level: 'low', limit: 100, offset: 50 },
      { bbox: ALL, roadClass: 'primary', limit: 5_000, offset: 0 },
      { bbox: ALL, waterSide: true, limit: 5_000, offset: 0 },
      { bbox: TOWN, waterSide: false, cliffSide: false, limit: 5_000, offset: 0 },
    ];
    let unknownSides = 0;
    let scored = 0;
    for (const q of queries) {
      const indexed = await fromIndex.segmentsInBbox(q, 'geojson');
      expect(indexed).toBeInstanceOf(RawJson);
      const served = JSON.parse((indexed as RawJson).text) as { features: { properties: { roadsideUnknown: string[]; score: number | null } }[] };
      const fallback = JSON.parse(JSON.stringify(await fromPostgis.segmentsInBbox(q, 'geojson'))) as typeof served;
      expect({ q, answer: fallback }).toEqual({ q, answer: served });
      unknownSides += served.features.filter((f) => f.properties.roadsideUnknown.length > 0).length;
      scored += served.features.filter((f) => f.properties.score !== null).length;
    }
    // The comparison covered live scores and unknown roadsides, not only empty ones.
    expect(unknownSides).toBeGreaterThan(10);
    expect(scored).toBeGreaterThan(100);
  });
});
