import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgeted programmes: a draft computed for a budget and a year (the solver's selection of
 * countermeasures on stretches), its items with their stretch, and — once a dispatcher or admin
 * approves it — the works task each item became.
 */
export class Programme1733400000000 implements MigrationInterface {
  name = 'Programme1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE programme (
        id             uuid PRIMARY KEY,
        year           integer NOT NULL,
        budget         double precision NOT NULL CHECK (budget > 0),
        currency       text NOT NULL,
        status         text NOT NULL CHECK (status IN ('draft', 'approved')),
        cost           double precision NOT NULL,
        fsi_prevented  double precision NOT NULL,
        summary        jsonb NOT NULL,
        created_by     text NOT NULL,
        created_at     timestamptz NOT NULL,
        approved_by    text,
        approved_at    timestamptz
      )`);
    await q.query(`
      CREATE TABLE programme_item (
        programme_id   uuid NOT NULL REFERENCES programme (id) ON DELETE CASCADE,
        item_no        integer NOT NULL,
        stretch_id     text NOT NULL,
        road_key       text NOT NULL,
        side           text NOT NULL CHECK (side IN ('left', 'right', 'both')),
        need           text NOT NULL,
        countermeasure text NOT NULL,
        length_m       double precision NOT NULL,
        cost           double precision NOT NULL,
        fsi_prevented  double precision NOT NULL,
        bcr            double precision NOT NULL,
        service_life_years integer NOT NULL,
        members        jsonb NOT NULL,
        geom           geometry(MultiLineString, 4326) NOT NULL,
        task_id        uuid REFERENCES task (id),
        PRIMARY KEY (programme_id, item_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE programme_item`);
    await q.query(`DROP TABLE programme`);
  }
}
