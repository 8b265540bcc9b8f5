import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One daily index row per jurisdiction and UTC day: the facts it was computed from, the indicators,
 * the 0–100 index and its band, the three-colour status. Today's row is recomputed on each read;
 * a past day's row is frozen the first time it is read after the day ended.
 */
export class DailyIndex1733000000000 implements MigrationInterface {
  name = 'DailyIndex1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE daily_index (
        jurisdiction_id text NOT NULL REFERENCES jurisdiction (id),
        day             date NOT NULL,
        method_version  integer NOT NULL,
        index_value     double precision CHECK (index_value BETWEEN 0 AND 100),
        band            text CHECK (band IN ('green', 'blue', 'yellow', 'orange', 'red')),
        status          text NOT NULL CHECK (status IN ('red', 'yellow', 'green')),
        status_reasons  jsonb NOT NULL,
        workload        jsonb NOT NULL,
        facts           jsonb NOT NULL,
        indicators      jsonb NOT NULL,
        source          text NOT NULL CHECK (source IN ('live', 'rebuilt')),
        as_of           timestamptz NOT NULL,
        frozen          boolean NOT NULL DEFAULT false,
        computed_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (jurisdiction_id, day)
      )`);
    await q.query(`CREATE INDEX daily_index_day_idx ON daily_index (day)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE daily_index`);
  }
}
