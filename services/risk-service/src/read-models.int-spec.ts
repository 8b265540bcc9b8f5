import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { closeRedis, createRedis, openDatabase, waitForRedis } from '@roadloop/persistence';
import { infra, runId } from '../../../test/support/environment';
import { deleteRedisPrefix } from '../../../test/support/stores';
import { beforeAfter } from './effectiveness/eb-before-after';
import { EffectivenessRepository } from './effectiveness/effectiveness.repository';
import { EffectivenessService } from './effectiveness/effectiveness.service';
import { SegmentJurisdictionRepository } from './jurisdictions/segment-jurisdiction.repository';
import { SegmentJurisdictionService } from './jurisdictions/segment-jurisdiction.service';
import { RISK_MIGRATIONS } from './migrations';
import { AccidentRepository } from './accidents/accident.repository';
import { HazardRepository } from './hazards/hazard.repository';
import { parseOrThrow } from '@roadloop/http';
import { assumedAadt, predictSegment, roadAttributesFrom, roadsideCmf, spfCrashesPerKmYear } from '@roadloop/geo';
import { accidentsQuerySchema, hazardsQuerySchema, withinBodySchema } from './queries/query-schemas';
import { ReportQueryService } from './queries/report-query.service';
import { SpatialQueryRepository } from './queries/spatial-query.repository';
import { SpatialQueryService } from './queries/spatial-query.service';
import { RankingFilters, RankingRepository } from './risk/ranking.repository';
import { RankingStore } from './risk/ranking.store';
import { levelOf } from './risk/risk-model';
import { SegmentFeatureCache } from './queries/segment-feature.cache';

/** Report queries never read segment features: no index is loaded. */
const noFeatureIndex = { index: null } as unknown as SegmentFeatureCache;

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const CLASSES = ['primary', 'secondary', 'tertiary'] as const;
const SIDES = [null, 'left', 'right', 'both'] as const;

/**
 * The risk service's read models against the machine's PostgreSQL and Redis, in a schema and a Redis
 * key prefix of this run's own.
 */
describe('rankings, jurisdictions and fix effectiveness on PostgreSQL and Redis', () => {
  const id = runId('riskint');
  const prefix = `${id}:`;
  let db: DataSource;
  let redis: Redis;
  let deadRedis: Redis;
  let store: RankingStore;
  let jurisdictions: SegmentJurisdictionService;

  const segmentIds: string[] = [];

  async function addSegment(
    segmentId: string, score: number, roadClass: string, waterSide: string | null, cliffSide: string | null, lengthM = 1000, exposureScore = 10, waterDistanceM = 12,
  ) {
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes, exposure_score, exposure_level)
       VALUES ($1, 1, 0, $2, $1, $3, ST_SetSRID(ST_MakeLine(ST_MakePoint(1.5, 42.5), ST_MakePoint(1.51, 42.5)), 4326), $4, $5, 'low')`,
      [segmentId, roadClass, lengthM, JSON.stringify({ waterSide, waterDistanceM: waterSide ? waterDistanceM : null, tunnel: false, cliffSide }), exposureScore],
    );
    await setScore(segmentId, score);
  }

  async function setScore(segmentId: string, score: number) {
    await db.query(
      `INSERT INTO segment_risk (segment_id, score, level, factors) VALUES ($1, $2, $3, '[]')
       ON CONFLICT (segment_id) DO UPDATE SET score = EXCLUDED.score, level = EXCLUDED.level`,
      [segmentId, score, levelOf(score)],
    );
  }

  /** The reference: the filtered ranking written as plain SQL over the tables, level by the stored level column. */
  async function reference(f: RankingFilters, limit: number) {
    const rows: { segment_id: string; score: number }[] = await db.query(
      `SELECT r.segment_id, r.score FROM segment_risk r
         JOIN road_segment s ON s.id = r.segment_id
         LEFT JOIN segment_jurisdiction j ON j.segment_id = r.segment_id
        WHERE ($1::text IS NULL OR j.jurisdiction_id = $1)
          AND ($2::text[] IS NULL OR s.road_class = ANY($2))
          AND ($3::text[] IS NULL
               OR ('water' = ANY($3) AND (s.attributes->>'waterDistanceM')::float8 <= 30)
               OR ('cliff' = ANY($3) AND s.attributes->>'cliffSide' IS NOT NULL))
          AND ($4::text[] IS NULL OR r.level = ANY($4))
        ORDER BY r.score DESC, r.segment_id COLLATE "C" DESC
        LIMIT $5`,
      [f.jurisdiction ?? null, f.roadClass ?? null, f.side ?? null, f.level ?? null, limit],
    );
    return rows.map((r) => ({ segmentId: r.segment_id, score: Number(r.score) }));
  }

  const FILTERS: [string, RankingFilters, number][] = [
    ['none', {}, 10],
    ['one jurisdiction', { jurisdiction: 'j-north' }, 50],
    ['two road classes', { roadClass: ['primary', 'tertiary'] }, 7],
    ['water side', { side: ['water'] }, 50],
    ['water or cliff side', { side: ['water', 'cliff'] }, 50],
    ['non-adjacent levels', { level: ['very_low', 'high'] }, 50],
    ['everything at once', { jurisdiction: 'j-south', roadClass: ['primary', 'secondary'], side: ['cliff', 'water'], level: ['medium', 'high', 'very_high'] }, 4],
    ['a jurisdiction nobody is in', { jurisdiction: 'j-nowhere' }, 10],
  ];

  async function expectEqualToReference(source: 'redis' | 'database', on = store) {
    for (const [, filters, limit] of FILTERS) {
      const served = await on.top(filters, limit);
      expect({ filters, source: served.source, items: served.items }).toEqual({ filters, source, items: await reference(filters, limit) });
    }
  }

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix });
    expect(await waitForRedis(redis)).toBe(true);
    deadRedis = createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: prefix });
    store = new RankingStore(redis, new RankingRepository(db));
    jurisdictions = new SegmentJurisdictionService(new SegmentJurisdictionRepository(db), store);
    // 48 segments: scores with ties across every level, three road classes, water and cliff sides;
    // a third of those with water on a side have it 250 m away, which is not water-side.
    for (let i = 0; i < 48; i++) {
      const segmentId = `w${(i * 7919) % 1000}-${i % 3}`;
      segmentIds.push(segmentId);
      await addSegment(segmentId, [2, 5, 7.5, 10, 15, 20, 33.3, 40, 61.25][i % 9] + (i % 4 === 0 ? 0 : i / 100), CLASSES[i % 3], SIDES[i % 4], SIDES[(i >> 2) % 4], 1000, 10, i % 3 === 0 ? 250 : 12);
      if (i % 5 !== 4) await jurisdictions.onAssigned({ segmentId, jurisdictionId: i % 2 ? 'j-north' : 'j-south', jurisdictionName: i % 2 ? 'North' : 'South', revision: 1 });
    }
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
    if (redis) await closeRedis(redis);
    if (deadRedis) await closeRedis(deadRedis);
    await deleteRedisPrefix(prefix);
  });

  it('serves every filtered top-N from Redis exactly as the SQL reference, after a flush, after updates, and from PostgreSQL without Redis', async () => {
    await deleteRedisPrefix(prefix);
    await expectEqualToReference('redis');
    expect(await redis.exists('risk:ranking', 'risk:ranking:ready', 'risk:ranking:jurisdiction:j-north', 'risk:ranking:side:water')).toBe(4);

    // Scores change and segments move without a rebuild: the facets follow.
    await setScore(segmentIds[3], 95);
    await store.set(segmentIds[3], 95);
    await setScore(segmentIds[10], 0.5);
    await store.set(segmentIds[10], 0.5);
    await jurisdictions.onAssigned({ segmentId: segmentIds[1], jurisdictionId: 'j-south', jurisdictionName: 'South', revision: 2 });
    await jurisdictions.onAssigned({ segmentId: segmentIds[2], jurisdictionId: null, jurisdictionName: null, revision: 2 });
    await expectEqualToReference('redis');
    expect((await store.top({}, 1)).items).toEqual([{ segmentId: segmentIds[3], score: 95 }]);

    // Temporary intersections are removed after each request.
    expect(await redis.keys(`${prefix}risk:ranking:query:*`)).toEqual([]);

    await deleteRedisPrefix(prefix);
    await expectEqualToReference('redis');
    await expectEqualToReference('database', new RankingStore(deadRedis, new RankingRepository(db)));
  });

  it('writes a run of scores at once: each segment in the facets it now belongs to and out of those it left, as a rebuild would leave them', async () => {
    /** Every ranking set and the details hash, as Redis holds them (the temporary and marker keys aside). */
    async function snapshot() {
      const keys = (await redis.keys(`${prefix}risk:ranking*`)).map((k) => k.slice(prefix.length)).filter((k) => !/:(query|ready|staged)/.test(k)).sort();
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'zset') out[key] = await redis.zrange(key, '0', '-1', 'WITHSCORES');
        else if (type === 'hash') out[key] = await redis.hgetall(key);
        else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
      }
      return out;
    }
    await store.rebuild();
    // Ten segments change road class, water side, cliff side and score, as a re-import and a run would.
    const changed = segmentIds.slice(30, 40);
    for (const [i, segmentId] of changed.entries()) {
      await db.query(`UPDATE road_segment SET road_class = $2, attributes = attributes || $3::jsonb WHERE id = $1`, [
        segmentId,
        CLASSES[(i + 1) % 3],
        JSON.stringify({ waterSide: i % 2 ? 'left' : null, waterDistanceM: i % 2 ? 5 : null, cliffSide: i % 3 ? null : 'right' }),
      ]);
      await setScore(segmentId, 50 + i);
    }
    await store.setMany(changed);
    await expectEqualToReference('redis');
    const written = await snapshot();
    expect(Object.keys(written)).toContain('risk:ranking:side:cliff');
    await store.rebuild();
    expect(written).toEqual(await snapshot());
  });

  it('keeps a score written while a rebuild was reading its snapshot', async () => {
    const racer = segmentIds[1];
    // The segments consumer writes a new score between the rebuild's read and its replacement of the sets.
    const racing = new (class extends RankingRepository {
      override async page(afterId: string, limit: number) {
        const rows = await super.page(afterId, limit);
        if (afterId === '') {
          await setScore(racer, 88.8);
          await store.set(racer, 88.8);
        }
        return rows;
      }
    })(db);
    await new RankingStore(redis, racing).rebuild();
    expect(Number(await redis.zscore('risk:ranking', racer))).toBe(88.8);
    await expectEqualToReference('redis');
  });

  it('applies a jurisdiction assignment once per revision and ignores older ones', async () => {
    const segmentId = segmentIds[20];
    const repository = new SegmentJurisdictionRepository(db);
    const before = await repository.find(segmentId);
    expect(before).toMatchObject({ jurisdictionId: 'j-south', revision: 1 });

    const moved = { segmentId, jurisdictionId: 'j-east', jurisdictionName: 'East', revision: 5 };
    expect(await jurisdictions.onAssigned(moved)).toBe(true);
    expect(await jurisdictions.onAssigned(moved)).toBe(false);
    expect(await jurisdictions.onAssigned({ ...moved, jurisdictionId: 'j-west', jurisdictionName: 'West', revision: 4 })).toBe(false);
    expect(await repository.find(segmentId)).toEqual(moved);
    expect((await store.top({ jurisdiction: 'j-east' }, 10)).items.map((i) => i.segmentId)).toEqual([segmentId]);
    expect((await store.top({ jurisdiction: 'j-south' }, 100)).items.map((i) => i.segmentId)).not.toContain(segmentId);
    expect((await store.top({ jurisdiction: 'j-west' }, 10)).items).toEqual([]);

    // An assignment for a segment this service has not imported yet is kept for when it arrives.
    expect(await jurisdictions.onAssigned({ segmentId: 'w-not-yet', jurisdictionId: 'j-east', jurisdictionName: 'East', revision: 1 })).toBe(true);
    expect((await store.top({ jurisdiction: 'j-east' }, 10)).items.map((i) => i.segmentId)).toEqual([segmentId]);
  });

  it('estimates fix effectiveness from the verified tasks and the crashes around them', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const crash = (segmentId: string, at: Date) =>
      db.query(
        `INSERT INTO accident (id, event_id, occurred_at, location, segment_id, deaths, serious_injuries, slight_injuries,
                               property_damage_only, vehicles, correlation_id)
         VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint(1.505, 42.5), 4326), $4, 0, 0, 1, false, 1, 'int')`,
        [randomUUID(), randomUUID(), at.toISOString(), segmentId],
      );
    const task = async (segmentId: string, countermeasure: string, verifiedAt: Date, status = 'verified') => {
      const taskId = randomUUID();
      await db.query(
        `INSERT INTO task_state (task_id, segment_id, status, countermeasure, version, verified_at, fix_failed) VALUES ($1, $2, $3, $4, 6, $5, $6)`,
        [taskId, segmentId, status, countermeasure, verifiedAt.toISOString(), status === 'reopened'],
      );
      return taskId;
    };
    // Four guardrail sites verified a year ago (before window: 730–365 days ago, after: 365 days ago – now).
    const sites = ['g1', 'g2', 'g3', 'g4'].map((s) => `eff-${s}`);
    for (const s of sites) await addSegment(s, 12, 'primary', 'left', null);
    const counts: [number, number][] = [[4, 1], [3, 0], [5, 1], [2, 1]];
    for (const [i, s] of sites.entries()) {
      await task(s, 'guardrail', ago(365), i === 3 ? 'reopened' : 'verified');
      for (let k = 0; k < counts[i][0]; k++) await crash(s, ago(400 + 30 * k));
      for (let k = 0; k < counts[i][1]; k++) await crash(s, ago(100 + 10 * k));
    }
    // Outside both windows (too old), and a site verified too recently to count.
    await crash(sites[0], ago(800));
    await addSegment('eff-new', 12, 'primary', null, null);
    await task('eff-new', 'guardrail', ago(10));
    await crash('eff-new', ago(20));
    // Two warning signs: too few sites.
    await addSegment('eff-s1', 12, 'secondary', null, null);
    await addSegment('eff-s2', 12, 'secondary', null, null);
    await task('eff-s1', 'warning_sign', ago(200));
    await task('eff-s2', 'warning_sign', ago(200));
    await jurisdictions.onAssigned({ segmentId: sites[0], jurisdictionId: 'j-eff', jurisdictionName: 'Eff', revision: 1 });

    const service = new EffectivenessService(new EffectivenessRepository(db));
    const summary = (await service.summary({ format: 'json' }, now)) as Exclude<Awaited<ReturnType<EffectivenessService['summary']>>, string>;
    expect(summary.asOf).toBe(now.toISOString());
    expect(summary.method.name).toMatch(/Empirical Bayes before–after/);
    const guardrail = summary.countermeasures.find((c) => c.countermeasure === 'guardrail')!;
    // Each site: 1 km of primary road with water 12 m to its left, predicted by the risk model: the SPF at
    // the class's assumed AADT (HSM Eq. 10-6) × the roadside CMF of rating 6 (HSM Eq. 10-14), 1.221891.
    const predictedPerKmYear = spfCrashesPerKmYear(assumedAadt('primary')) * roadsideCmf(6);
    expect(predictedPerKmYear).toBeCloseTo(
      predictSegment(roadAttributesFrom('primary', 1000, { waterSide: 'left', waterDistanceM: 12, tunnel: false, cliffSide: null })).predictedPerKmYear,
      9,
    );
    const expected = beforeAfter(counts.map(([b, a]) => ({ lengthM: 1000, predictedPerKmYear, beforeYears: 365 / 365.25, afterYears: 365 / 365.25, beforeCrashes: b, afterCrashes: a })));
    expect(guardrail).toEqual({ countermeasure: 'guardrail', ...expected });
    expect(guardrail).toMatchObject({ sites: 4, beforeCrashes: 14, afterCrashes: 3 });
    expect(guardrail.oddsRatio).toBeGreaterThan(0);
    expect(summary.countermeasures.find((c) => c.countermeasure === 'warning_sign')).toMatchObject({ sites: 2, verdict: 'insufficient_data', oddsRatio: null });

    const list = (await service.siteList({ format: 'json', countermeasure: ['guardrail'] }, now)) as { sites: { segmentId: string; included: boolean; beforeCrashes: number; afterCrashes: number; windowDays: number; fixFailed: boolean }[] };
    // Sites in order of verification (equal times in task id order): sorted here by segment.
    expect(list.sites.map((s) => [s.segmentId, s.included, s.beforeCrashes, s.afterCrashes]).sort()).toEqual([
      ...sites.map((s, i) => [s, true, counts[i][0], counts[i][1]]),
      ['eff-new', false, 1, 0],
    ]);
    expect(list.sites.filter((s) => s.fixFailed).map((s) => s.segmentId)).toEqual([sites[3]]);

    const inJurisdiction = (await service.summary({ format: 'json', jurisdiction: 'j-eff' }, now)) as typeof summary;
    expect(inJurisdiction.countermeasures).toEqual([expect.objectContaining({ countermeasure: 'guardrail', sites: 1, verdict: 'insufficient_data' })]);
    const csv = (await service.summary({ format: 'csv', verifiedTo: ago(300) }, now)) as string;
    expect(csv.split('\r\n')[0]).toBe('countermeasure,sites,beforeCrashes,afterCrashes,beforeYears,afterYears,expectedAfterWithoutTreatment,oddsRatio,oddsRatioStdErr,ciLow,ciHigh,effectivenessPct,verdict,note');
    expect(csv.split('\r\n').filter((l) => l.startsWith('guardrail,4,14,3,'))).toHaveLength(1);
  });

  it('pages hazards and crashes in a box or polygon, newest first, by cursor, with filters', async () => {
    const reports = new ReportQueryService(new HazardRepository(db), new AccidentRepository(db), new SpatialQueryService(new SpatialQueryRepository(db), noFeatureIndex));
    const hazard = (lon: number, status: string, reportedAt: string) =>
      db.query(
        `INSERT INTO hazard (id, event_id, category, severity, location, status, reported_at, correlation_id)
         VALUES ($1, $2, 'rockfall', 'high', ST_SetSRID(ST_MakePoint($3, 42.5), 4326), $4, $5, 'int') RETURNING id`,
        [randomUUID(), randomUUID(), lon, status, reportedAt],
      ).then((rows: { id: string }[]) => rows[0].id);
    // Five open hazards in the box (three reported at the same moment), one resolved, one outside the box.
    const same = '2026-03-01T08:00:00.000Z';
    const inBox = [await hazard(1.51, 'open', '2026-03-02T08:00:00.000Z'), await hazard(1.52, 'open', same), await hazard(1.53, 'open', same), await hazard(1.54, 'open', same), await hazard(1.55, 'open', '2026-02-01T08:00:00.000Z')];
    await hazard(1.52, 'resolved', '2026-03-05T00:00:00.000Z');
    await hazard(2.5, 'open', '2026-03-05T00:00:00.000Z');
    const expected = [inBox[0], ...[inBox[1], inBox[2], inBox[3]].sort().reverse(), inBox[4]];

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const q = parseOrThrow(hazardsQuerySchema, { bbox: '1.5,42.4,1.6,42.6', status: 'open', limit: '2', ...(cursor ? { cursor } : {}) });
      const { bbox, ...rest } = q;
      const page = await reports.hazardsIn(rest, { bbox: bbox! });
      const body = page.body as { features: { id: string; geometry: { coordinates: number[] }; properties: { status: string } }[]; page: { nextCursor: string | null } };
      expect(body.page.nextCursor).toBe(page.nextCursor);
      for (const f of body.features) expect(f.properties.status).toBe('open');
      seen.push(...body.features.map((f) => f.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected);

    const square = parseOrThrow(withinBodySchema, { geometry: { type: 'Polygon', coordinates: [[[1.515, 42.4], [1.545, 42.4], [1.545, 42.6], [1.515, 42.6], [1.515, 42.4]]] } }).geometry;
    const within = await reports.hazardsWithin(square, { status: ['open'], limit: 10, format: 'csv' });
    const lines = (within.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('id,category,severity,status,segmentId,reportedAt,lon,lat,duplicateOf,resolvedAt,description');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([inBox[1], inBox[2], inBox[3]].sort());

    await db.query(
      `INSERT INTO accident (id, event_id, occurred_at, location, deaths, serious_injuries, slight_injuries, property_damage_only, vehicles, correlation_id)
       VALUES ($1, $2, '2026-01-10T00:00:00Z', ST_SetSRID(ST_MakePoint(1.52, 42.5), 4326), 1, 2, 0, false, 2, 'int'),
              ($3, $4, '2025-06-10T00:00:00Z', ST_SetSRID(ST_MakePoint(1.52, 42.5), 4326), 0, 0, 0, true, 1, 'int')`,
      [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
    );
    const crashes = await reports.accidentsIn(parseOrThrow(accidentsQuerySchema, { bbox: '1.5,42.4,1.6,42.6', from: '2026-01-01', to: '2026-02-01' }));
    const features = (crashes.body as { features: { properties: { casualties: number; severity: string; occurredAt: string } }[] }).features;
    expect(features.map((f) => f.properties)).toEqual([expect.objectContaining({ casualties: 3, severity: 'fatal', occurredAt: '2026-01-10T00:00:00.000Z' })]);
  });
});
