import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from './data-source';
import { TransactionRunner, managerOf } from './transaction';
import { closeRedis, createRedis, waitForRedis } from './redis';

jest.setTimeout(60_000);

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';
  async up(q: QueryRunner) {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`);
    await q.query(`CREATE TABLE thing (id int PRIMARY KEY, geom geometry(Point, 4326))`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE thing`);
  }
}

describe('persistence helpers against the real PostgreSQL', () => {
  const schema = `int_${randomBytes(4).toString('hex')}`;
  const opened: DataSource[] = [];
  const open = async () => {
    const ds = await openDatabase({ url, schema, entities: [], migrations: [CreateThings1700000000000], poolSize: 2 }, true);
    opened.push(ds);
    return ds;
  };

  afterAll(async () => {
    if (opened[0]) await opened[0].query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all(opened.map((ds) => ds.destroy()));
  });

  it('migrates once when several processes start together, into the service schema, with PostGIS', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    const applied = await a.query(`SELECT name FROM "${schema}".migrations`);
    expect(applied).toEqual([{ name: 'CreateThings1700000000000' }]);
    await b.query(`INSERT INTO thing VALUES (1, ST_SetSRID(ST_MakePoint(1.5, 42.5), 4326))`);
    const [row] = await c.query(`SELECT ST_X(geom) AS x FROM "${schema}".thing WHERE id = 1`);
    expect(Number(row.x)).toBe(1.5);
  });

  it('opens connections without JIT compilation, which costs short statements more than it saves', async () => {
    const ds = opened[0] ?? (await open());
    const [row] = await ds.query(`SHOW jit`);
    expect(row.jit).toBe('off');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const ds = opened[0] ?? (await open());
    const tx = new TransactionRunner(ds);
    await tx.run(async (scope) => {
      await managerOf(ds, scope).query(`INSERT INTO thing (id) VALUES (2)`);
    });
    await expect(
      tx.run(async (scope) => {
        await managerOf(ds, scope).query(`INSERT INTO thing (id) VALUES (3)`);
        throw new Error('business rule broken');
      }),
    ).rejects.toThrow('business rule broken');
    const ids = (await ds.query(`SELECT id FROM thing WHERE id IN (2, 3) ORDER BY id`)).map((r: { id: number }) => r.id);
    expect(ids).toEqual([2]);
  });

  it('refuses a scope used after its transaction ended', async () => {
    const ds = opened[0] ?? (await open());
    let leaked: Parameters<Parameters<TransactionRunner['run']>[0]>[0] | undefined;
    await new TransactionRunner(ds).run(async (scope) => {
      leaked = scope;
    });
    expect(() => managerOf(ds, leaked)).toThrow(/after its transaction ended/);
  });
});

describe('redis client', () => {
  it('connects, and refuses commands instead of queueing them when Redis is unreachable', async () => {
    const up = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: 'int:' });
    expect(await waitForRedis(up)).toBe(true);
    expect(await up.ping()).toBe('PONG');
    await closeRedis(up);
    expect(up.status).toBe('end');

    const down = createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: 'int:' });
    expect(await waitForRedis(down, 500)).toBe(false);
    // No offline queue: the command is refused at once rather than queued until Redis returns.
    await expect(down.get('x')).rejects.toThrow(/Stream isn't writeable|enableOfflineQueue/);
    await closeRedis(down);
  });
});
