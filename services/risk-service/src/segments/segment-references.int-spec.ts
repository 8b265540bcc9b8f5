import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openDatabase } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { RISK_MIGRATIONS } from '../migrations';

jest.setTimeout(60_000);

/**
 * Hazards, crashes and risk history name their segment without locking its row (a foreign key's
 * check wrote the referenced segment's page: on a province, a page of `road_segment` per report),
 * and what the keys refused is still refused.
 */
describe('references to road segments', () => {
  const id = runId('segrefs');
  let db: DataSource;

  async function segment(segmentId: string): Promise<void> {
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, length_m, geom, exposure_score, exposure_level)
       VALUES ($1, $2, $3, 'secondary', 100, ST_GeomFromText('LINESTRING(1.5 42.5, 1.501 42.5)', 4326), 1, 'low')`,
      [segmentId, ...segmentId.split(':').map(Number)],
    );
  }
  const hazardOn = (segmentId: string, q: Pick<DataSource, 'query'> = db) =>
    q.query(
      `INSERT INTO hazard (id, event_id, category, severity, location, segment_id, reported_at, correlation_id)
       VALUES ($1, $2, 'rockfall', 'high', ST_SetSRID(ST_MakePoint(1.5005, 42.5), 4326), $3, now(), 'c')`,
      [randomUUID(), randomUUID(), segmentId],
    );
  const crashOn = (segmentId: string) =>
    db.query(
      `INSERT INTO accident (id, event_id, occurred_at, location, segment_id, deaths, serious_injuries, slight_injuries, property_damage_only, vehicles, correlation_id)
       VALUES ($1, $2, now(), ST_SetSRID(ST_MakePoint(1.5005, 42.5), 4326), $3, 0, 1, 0, false, 1, 'c')`,
      [randomUUID(), randomUUID(), segmentId],
    );

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    for (let i = 0; i < 6; i++) await segment(`1:${i}`);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
  });

  it("records a hazard without locking its segment's row, so without writing the segment's page", async () => {
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await hazardOn('1:0', runner);
      // The strongest row lock: refused at once (NOWAIT) if the hazard's insert held any lock on the row.
      const locked = await db.query(`SELECT id FROM road_segment WHERE id = '1:0' FOR UPDATE NOWAIT`);
      expect(locked).toEqual([{ id: '1:0' }]);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('refuses to delete a segment a hazard or a crash names, from any search path, and deletes one nothing names', async () => {
    for (const s of ['2:1', '2:2', '2:3']) await segment(s);
    await hazardOn('2:1');
    await crashOn('2:2');
    for (const named of ['2:1', '2:2']) {
      await expect(
        db.transaction(async (m) => {
          await m.query(`SET LOCAL search_path = public`);
          await m.query(`DELETE FROM "${id}".road_segment WHERE id = ANY($1)`, [['2:3', named]]);
        }),
      ).rejects.toMatchObject({ code: '23503', message: `segment ${named} is still named by a hazard or a crash: road segments are not removed` });
    }
    await db.query(`DELETE FROM road_segment WHERE id = '2:3'`);
    expect(await db.query(`SELECT id FROM road_segment WHERE id LIKE '2:%' ORDER BY id`)).toEqual([{ id: '2:1' }, { id: '2:2' }]);
  });

  it('refuses to empty the segments while hazards or crashes name any, and empties them with those', async () => {
    for (const s of ['3:1', '3:2']) await segment(s);
    await hazardOn('3:1');
    await crashOn('3:2');
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM road_segment`);
    await expect(db.query(`TRUNCATE road_segment CASCADE`)).rejects.toMatchObject({ code: '23503' });
    expect(await db.query(`SELECT count(*)::int AS n FROM road_segment`)).toEqual([{ n }]);
    await db.query(`DELETE FROM hazard`);
    await expect(db.query(`TRUNCATE road_segment CASCADE`)).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/^segment [0-9]:[0-9] is still named by a hazard or a crash/) });
    // Truncated together, as the keys allowed.
    await db.query(`TRUNCATE road_segment, accident CASCADE`);
    expect(await db.query(`SELECT (SELECT count(*)::int FROM road_segment) AS s, (SELECT count(*)::int FROM accident) AS a`)).toEqual([{ s: 0, a: 0 }]);
  });

  it("keeps a segment's risk history only beside its risk row", async () => {
    await segment('1:6');
    await expect(db.query(`INSERT INTO risk_history (segment_id, revision, score, level) VALUES ('1:6', 0, 1, 'low')`)).rejects.toMatchObject({ code: '23503' });
    await db.query(`INSERT INTO segment_risk (segment_id, score, level, factors) VALUES ('1:6', 1, 'low', '[]')`);
    await db.query(`INSERT INTO risk_history (segment_id, revision, score, level) VALUES ('1:6', 0, 1, 'low')`);
    await expect(db.query(`DELETE FROM segment_risk WHERE segment_id = '1:6'`)).rejects.toMatchObject({ code: '23503' });
  });
});
