import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { TransactionRunner, TxScope, openDatabase } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { RiskConfig } from '../config';
import { RISK_MIGRATIONS } from '../migrations';
import { ReachCache } from './reach.cache';
import { Reach, SegmentRepository } from './segment.repository';

jest.setTimeout(60_000);

/** Two ways: w1 of four 300 m pieces, w2 of one. */
const SEGMENTS = [
  ...Array.from({ length: 4 }, (_, piece) => ({ id: `w1-${piece}`, way: 1, piece, lon: 1.5 + piece * 0.0037 })),
  { id: 'w2-0', way: 2, piece: 0, lon: 1.6 },
];

const configOf = (max: number) => ({ REACH_CACHE_SEGMENTS: max }) as RiskConfig;

/** The repository, counting the segments it reads reaches of. */
function counting(db: DataSource) {
  const repository = new SegmentRepository(db);
  const read: string[][] = [];
  const reachesOf = repository.reachesOf.bind(repository);
  repository.reachesOf = async (ids: readonly string[], scope?: TxScope) => {
    read.push([...ids]);
    return reachesOf(ids, scope);
  };
  return { repository, read };
}

describe('the reaches kept in memory for re-scoring (ReachCache)', () => {
  const schema = runId('reachcache');
  let db: DataSource;
  let tx: TransactionRunner;

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
    tx = new TransactionRunner(db);
    for (const s of SEGMENTS) {
      await db.query(
        `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes, exposure_score, exposure_level)
         VALUES ($1, $2, $3, 'tertiary', $4, 300, ST_SetSRID(ST_MakeLine(ST_MakePoint($5, 42.5), ST_MakePoint($5 + 0.0037, 42.5)), 4326), $6, 12, 'medium')`,
        [s.id, s.way, s.piece, `Way ${s.way}`, s.lon, JSON.stringify({ gradePct: s.piece, waterSide: null })],
      );
    }
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.destroy();
  });

  const reachesOf = (cache: ReachCache, ids: string[]) => tx.run((scope) => cache.reachesOf(ids, scope));

  it('answers as the database does, reading each reach once until the network changes', async () => {
    const { repository, read } = counting(db);
    const cache = new ReachCache(repository, configOf(100));
    const ids = ['w1-1', 'w2-0', 'nowhere', 'w1-1'];
    const expected = await repository.reachesOf(ids);
    read.length = 0;

    const first = await reachesOf(cache, ids);
    expect(first).toEqual(expected);
    expect([...first.keys()].sort()).toEqual(['w1-1', 'w2-0']);
    expect(first.get('w1-1')!.neighbours.map((n) => n.id)).toEqual(['w1-0', 'w1-2']);
    expect(read).toEqual([['w1-1', 'w2-0', 'nowhere']]);

    // Kept: only what the database did not have is asked again, and a new segment.
    expect(await reachesOf(cache, ['w2-0', 'w1-1', 'w1-3', 'nowhere'])).toEqual(await repository.reachesOf(['w2-0', 'w1-1', 'w1-3']));
    expect(read.slice(1, 2)).toEqual([['w1-3', 'nowhere']]);
    expect(cache.size).toBe(3);

    // A statement that changes segments (an import) moves the network's revision: everything is read again.
    await db.query(`UPDATE road_segment SET attributes = attributes || '{"gradePct": 9}' WHERE id = 'w1-2'`);
    read.length = 0;
    const after = await reachesOf(cache, ['w1-1']);
    expect(read).toEqual([['w1-1']]);
    expect(after.get('w1-1')!.neighbours[1].attributes.gradePct).toBe(9);
    expect(cache.size).toBe(1);

    // A flag that is not the network (the re-scorer's) leaves what is kept.
    await db.query(`UPDATE road_segment SET rescore_pending = true WHERE id = 'w1-1'`);
    await reachesOf(cache, ['w1-1']);
    expect(read).toHaveLength(1);
  });

  it('keeps at most REACH_CACHE_SEGMENTS reaches, dropping the least recently used', async () => {
    const { repository, read } = counting(db);
    const cache = new ReachCache(repository, configOf(2));
    await reachesOf(cache, ['w1-0', 'w1-1']);
    await reachesOf(cache, ['w1-0']); // w1-1 is now the least recently used
    await reachesOf(cache, ['w1-2']);
    expect(cache.size).toBe(2);
    read.length = 0;
    await reachesOf(cache, ['w1-0', 'w1-2']);
    expect(read).toEqual([]);
    await reachesOf(cache, ['w1-1']);
    expect(read).toEqual([['w1-1']]);
    expect(cache.size).toBe(2);
  });

  it('reads every reach from the database with REACH_CACHE_SEGMENTS 0', async () => {
    const { repository, read } = counting(db);
    const cache = new ReachCache(repository, configOf(0));
    await reachesOf(cache, ['w1-0']);
    await reachesOf(cache, ['w1-0']);
    expect(read).toEqual([['w1-0'], ['w1-0']]);
    expect(cache.size).toBe(0);
  });

  it('hands out reaches no caller can change', async () => {
    const cache = new ReachCache(new SegmentRepository(db), configOf(10));
    const reach = (await reachesOf(cache, ['w1-1'])).get('w1-1')!;
    expect(() => {
      (reach.segment.attributes as Record<string, unknown>).gradePct = 40;
    }).toThrow(TypeError);
    expect(() => reach.neighbours.push(reach.neighbours[0])).toThrow(TypeError);
    expect((await reachesOf(cache, ['w1-1'])).get('w1-1')!.segment.attributes.gradePct).toBe(1);
  });
});

describe('ReachCache when an import commits while a call reads', () => {
  const reach = (tag: string): Reach => ({
    segment: { exposureScore: 1, exposureLevel: 'low', exposureFactors: [], lengthM: 1, roadClass: 'tertiary', name: tag, attributes: {} },
    neighbours: [],
  });

  it('does not keep what a call read under the revision a later call saw', async () => {
    let revision = 'r1';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slow = true;
    const repository = {
      fingerprint: async () => revision,
      reachesOf: async (ids: readonly string[]) => {
        // The first read is held until the second call has seen the new revision; it read before the import.
        const name = slow ? 'before' : 'after';
        if (slow) {
          slow = false;
          await gate;
        }
        return new Map(ids.map((id) => [id, reach(name)]));
      },
    } as unknown as SegmentRepository;
    const cache = new ReachCache(repository, configOf(10));
    const scope = {} as TxScope;

    const early = cache.reachesOf(['a'], scope);
    await new Promise((resolve) => setImmediate(resolve));
    revision = 'r2';
    expect((await cache.reachesOf(['b'], scope)).get('b')!.segment.name).toBe('after');
    release();
    expect((await early).get('a')!.segment.name).toBe('before');
    // What the early call read is not kept: `a` is read again, under r2.
    expect(cache.size).toBe(1);
    expect((await cache.reachesOf(['a'], scope)).get('a')!.segment.name).toBe('after');
  });
});
