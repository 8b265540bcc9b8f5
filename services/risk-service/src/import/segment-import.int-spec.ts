import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { readGeoJsonFeatures, scoreFiles } from '@roadloop/geo';
import { TransactionRunner, closeRedis, createRedis, openDatabase, waitForRedis } from '@roadloop/persistence';
import { SAMPLE_DATA_DIR, infra, runId } from '../../../../test/support/environment';
import { deleteRedisPrefix } from '../../../../test/support/stores';
import { RISK_MIGRATIONS } from '../migrations';
import { RankingRepository } from '../risk/ranking.repository';
import { RankingStore } from '../risk/ranking.store';
import { RISK_MODEL, assessRisk, reachPieceOf, roadOf } from '../risk/risk-model';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { SegmentRecord, SegmentRepository } from '../segments/segment.repository';
import { SegmentImportService, segmentRecordOf } from './segment-import.service';

jest.setTimeout(300_000);

/**
 * The import as it was before it streamed, kept as the reference: every feature read into a record
 * in memory (`segmentRecordOf`, as the import reads one), then all segments and their seeded risk
 * written at once, each piece's neighbours taken from the features themselves.
 */
async function importAllAtOnce(db: DataSource, features: readonly unknown[], aadt: ReadonlyMap<string, number>) {
  const records: SegmentRecord[] = [];
  const rejected: { index: number; reason: string }[] = [];
  const seen = new Set<string>();
  features.forEach((feature, index) => {
    const record = segmentRecordOf(feature, aadt);
    if (typeof record === 'string') return void rejected.push({ index, reason: record });
    if (seen.has(record.id)) return void rejected.push({ index, reason: `duplicate segment id ${record.id}` });
    seen.add(record.id);
    records.push(record);
  });
  const byPiece = new Map(records.map((r) => [`${r.osmWayId}:${r.index}`, r]));
  const segments = new SegmentRepository(db);
  const risks = new SegmentRiskRepository(db);
  const counts = await new TransactionRunner(db).run(async (scope) => {
    const written = await segments.upsert(records, scope);
    await risks.seedMissing(
      records.map((r) => {
        const neighbours = [r.index - 1, r.index + 1].flatMap((i) => {
          const n = byPiece.get(`${r.osmWayId}:${i}`);
          return n ? [reachPieceOf(n)] : [];
        });
        const { score, level, alarm, factors } = assessRisk({ road: roadOf(r), neighbours, hazards: [], crashes: [], now: new Date() });
        return { segmentId: r.id, score, level, alarm, factors, exposureScore: r.exposureScore, modelVersion: RISK_MODEL.version };
      }),
      scope,
    );
    return written;
  });
  return { read: features.length, inserted: counts.inserted, updated: counts.updated, rejectedCount: rejected.length, rejected };
}

/** Every stored column of both tables but the write times, in id order. */
async function rowsOf(db: DataSource) {
  const segments: Record<string, unknown>[] = await db.query(
    `SELECT id, osm_way_id, piece_index, road_class, name, length_m, ST_AsEWKT(geom) AS geom, attributes, exposure_score,
            exposure_level, exposure_factors, profile_published, rescore_pending
       FROM road_segment ORDER BY id`,
  );
  const risks: Record<string, unknown>[] = await db.query(
    `SELECT segment_id, score, level, alarm, factors, exposure_score, crash_estimate, revision, model_version,
            published_level, published_revision
       FROM segment_risk ORDER BY segment_id`,
  );
  return { segments, risks };
}

/**
 * The streaming import of the Andorra sample, read from a GeoJSON file in small chunks and written
 * in batches far smaller than a way's run of pieces, leaves the very rows the all-at-once import
 * left: the same segments, the same seeded risk (each piece's neighbours found across batches).
 */
describe(`${SegmentImportService.name} on PostgreSQL: streaming gives the rows of the all-at-once import`, () => {
  const id = runId('segimport');
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-import-'));
  const file = join(dir, 'andorra.geojson');
  const worlds: { schema: string; db: DataSource; redis?: Redis; prefix: string }[] = [];
  let features: unknown[] = [];
  let aadt: Map<string, number>;

  async function world(name: string) {
    const schema = `${id}_${name}`;
    const db = await openDatabase({ url: infra.databaseUrl, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
    const w = { schema, db, prefix: `${schema}:` } as (typeof worlds)[number];
    worlds.push(w);
    return w;
  }

  beforeAll(async () => {
    const scored = await scoreFiles({ osmPath: join(SAMPLE_DATA_DIR, 'andorra.osm.pbf'), demPath: join(SAMPLE_DATA_DIR, 'N42E001.hgt') });
    const good = scored.segments.features as unknown[];
    // A feature that is invalid, and ids given twice (far apart, so in different batches, and side by side).
    features = [...good.slice(0, 40), { type: 'Feature', properties: {}, geometry: null }, ...good.slice(40), good[3], good[good.length - 1]];
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const props = (i: number) => (good[i] as { properties: { id: string; osmWayId: number } }).properties;
    aadt = new Map([[props(10).id, 4200], [String(props(500).osmWayId), 900]]);
  });

  afterAll(async () => {
    for (const w of worlds) {
      await w.db.query(`DROP SCHEMA IF EXISTS "${w.schema}" CASCADE`).catch(() => undefined);
      await w.db.destroy();
      if (w.redis) await closeRedis(w.redis);
      await deleteRedisPrefix(w.prefix);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same road_segment and segment_risk rows and rejects the same features, and a re-run changes nothing', async () => {
    const reference = await world('reference');
    const before = await importAllAtOnce(reference.db, features, aadt);

    const streamed = await world('streamed');
    streamed.redis = createRedis({ url: infra.redisUrl, keyPrefix: streamed.prefix });
    expect(await waitForRedis(streamed.redis)).toBe(true);
    const db = streamed.db;
    const service = new SegmentImportService(
      new TransactionRunner(db),
      new SegmentRepository(db),
      new SegmentRiskRepository(db),
      new RankingStore(streamed.redis, new RankingRepository(db)),
    );
    const report = await service.importFeatures(readGeoJsonFeatures(file, { chunkBytes: 4096 }), aadt, 97);

    expect(before.rejected).toHaveLength(3);
    expect(report).toEqual({ ...before, ranked: before.inserted });
    const expected = await rowsOf(reference.db);
    expect(expected.segments).toHaveLength(features.length - 3);
    expect(await rowsOf(db)).toEqual(expected);

    const again = await service.importFeatures(readGeoJsonFeatures(file), aadt, 1000);
    expect(again).toEqual({ ...before, inserted: 0, updated: before.inserted, ranked: before.inserted });
    const rerun = await rowsOf(db);
    expect(rerun.risks).toEqual(expected.risks);
    expect(rerun.segments.map(({ profile_published: _, ...r }) => r)).toEqual(expected.segments.map(({ profile_published: _, ...r }) => r));
  });
});
