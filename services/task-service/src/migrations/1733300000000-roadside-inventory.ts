import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The roadside inventory (what stands beside each side of a segment, with its source and date), the
 * sides the mandatory-protection rule finds in need (a survey while the inventory is unknown, works
 * where it is absent or damaged), and the stretch a task covers (its member segments and geometry).
 */
export class RoadsideInventory1733300000000 implements MigrationInterface {
  name = 'RoadsideInventory1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roadside_inventory (
        segment_id  text NOT NULL,
        side        text NOT NULL CHECK (side IN ('left', 'right')),
        status      text NOT NULL CHECK (status IN ('present', 'absent', 'damaged', 'unknown')),
        source      text NOT NULL CHECK (source IN ('osm', 'import', 'crew_survey', 'verified_fix')),
        observed_at timestamptz NOT NULL,
        from_m      double precision,
        to_m        double precision,
        task_id     uuid,
        recorded_by text NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, side)
      )`);
    await q.query(`
      CREATE TABLE roadside_need (
        segment_id text NOT NULL,
        side       text NOT NULL CHECK (side IN ('left', 'right')),
        action     text NOT NULL CHECK (action IN ('survey', 'works')),
        water      boolean NOT NULL,
        reason     text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, side)
      )`);
    await q.query(`
      CREATE TABLE task_stretch (
        task_id    uuid PRIMARY KEY REFERENCES task (id),
        stretch_id text NOT NULL,
        road_key   text NOT NULL,
        side       text NOT NULL CHECK (side IN ('left', 'right', 'both')),
        length_m   double precision NOT NULL,
        members    jsonb NOT NULL,
        geom       geometry(MultiLineString, 4326) NOT NULL
      )`);
    await q.query(`CREATE INDEX task_stretch_members_gin ON task_stretch USING gin (members jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_stretch`);
    await q.query(`DROP TABLE roadside_need`);
    await q.query(`DROP TABLE roadside_inventory`);
  }
}
