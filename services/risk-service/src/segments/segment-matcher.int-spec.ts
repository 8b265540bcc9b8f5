import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { LineString } from 'geojson';
import { DataSource } from 'typeorm';
import { SegmentMatcher } from '@roadloop/geo';
import { TransactionRunner, openDatabase } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { RISK_MIGRATIONS } from '../migrations';
import { andorraSegmentRecords } from '../testing/andorra-segments';
import { MATCHER_BATCH_ROWS, buildSegmentMatcher } from './segment-matcher.holder';
import { SegmentRepository } from './segment.repository';

jest.setTimeout(120_000);

/** mulberry32: the same points on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The matcher built from `road_segment` in batches of WKB against the matcher the service built
 * before: every row's `ST_AsGeoJSON(geom, 9)` text parsed into `{ id, coordinates }`, on Andorra.
 */
describe('the risk service matcher built from road_segment in batches', () => {
  const id = runId('matchint');
  let db: DataSource;
  let repo: SegmentRepository;

  /** The matcher as the service built it from one query of GeoJSON text. */
  async function fromGeoJsonText(): Promise<SegmentMatcher> {
    const rows: { id: string; g: string }[] = await db.query(`SELECT id, ST_AsGeoJSON(geom, 9) AS g FROM road_segment ORDER BY id`);
    return SegmentMatcher.build(rows.map((r) => ({ id: r.id, coordinates: (JSON.parse(r.g) as LineString).coordinates as [number, number][] })));
  }

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
    repo = new SegmentRepository(db);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
  });

  it('is null while road_segment is empty', async () => {
    expect(await buildSegmentMatcher(repo)).toBeNull();
  });

  it('equals the matcher built from GeoJSON text on Andorra, whatever the batch size, and matches every point alike', async () => {
    const records = await andorraSegmentRecords();
    await repo.upsert(records);
    const segmentCount = records.length;
    expect(segmentCount).toBe(6_058);

    const reference = await fromGeoJsonText();
    // A batch size that leaves a short last page, one that ends on a full page, and the service's.
    for (const batchRows of [1_000, segmentCount, MATCHER_BATCH_ROWS]) {
      const built = await buildSegmentMatcher(repo, batchRows);
      expect({ batchRows, segments: built?.segmentCount, pieces: built?.pieceCount }).toEqual({
        batchRows,
        segments: segmentCount,
        pieces: reference.pieceCount,
      });
      // The same ids in the same order, the same vertices, offsets and tree: the same index.
      expect(built!.toData()).toEqual(reference.toData());
    }

    const built = (await buildSegmentMatcher(repo))!;
    const random = seededRandom(42);
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const lon = 1.419351 + random() * (1.7338324 - 1.419351);
      const lat = 42.41714 + random() * (42.6340018 - 42.41714);
      const got = built.match(lon, lat, 50);
      expect(got).toEqual(reference.match(lon, lat, 50));
      if (got) matched++;
    }
    expect(matched).toBeGreaterThan(1_000);
  });

  it("changes the network's fingerprint once per transaction that imports, changes or removes segments, and not for their flags", async () => {
    const records = (await andorraSegmentRecords()).slice(0, 3);
    const ids = records.map((r) => r.id);
    const revision = async () => Number((await db.query(`SELECT revision FROM network_revision`))[0].revision);
    const at = [await repo.fingerprint()];
    const before = await revision();
    // An import of many statements in one transaction: one new revision.
    await new TransactionRunner(db).run(async (scope) => {
      await repo.upsert(records.slice(0, 1), scope);
      await repo.upsert(records.slice(1).map((r) => ({ ...r, name: `${r.name ?? ''} (renamed)` })), scope);
    });
    expect(await revision()).toBe(before + 1);
    at.push(await repo.fingerprint());

    // What the relays and the re-scorer write leaves the network as it was: no rebuild.
    await repo.markProfilesPublished(ids);
    await repo.markForRescore(null);
    await repo.clearRescores(ids);
    expect(await repo.fingerprint()).toBe(at[1]);

    // A line changed by hand, then a segment removed by another session whose search path starts elsewhere.
    await db.query(`UPDATE road_segment SET geom = ST_Reverse(geom) WHERE id = $1`, [ids[1]]);
    at.push(await repo.fingerprint());
    await db.transaction(async (m) => {
      await m.query(`SET LOCAL search_path = public`);
      await m.query(`DELETE FROM "${id}".road_segment WHERE id = $1`, [ids[0]]);
    });
    at.push(await repo.fingerprint());
    await db.query(`TRUNCATE road_segment CASCADE`);
    at.push(await repo.fingerprint());
    expect(new Set(at).size).toBe(5);
    expect(await revision()).toBe(before + 4);
  });
});
