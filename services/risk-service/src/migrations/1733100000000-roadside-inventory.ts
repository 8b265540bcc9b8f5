import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each segment side's roadside inventory as the task service records it (a survey's findings, an
 * import): a guardrail present, absent, damaged or unknown, with its source and date. The risk model
 * reads a side present as guarded and absent or damaged as unguarded, whatever the map says.
 */
export class RoadsideInventory1733100000000 implements MigrationInterface {
  name = 'RoadsideInventory1733100000000';

  async up(q: QueryRunner): Promise<void> {
    // No foreign key to road_segment, like segment_jurisdiction: the announcement comes from another service.
    await q.query(`
      CREATE TABLE segment_roadside (
        segment_id  text NOT NULL,
        side        text NOT NULL CHECK (side IN ('left', 'right')),
        status      text NOT NULL CHECK (status IN ('present', 'absent', 'damaged', 'unknown')),
        source      text NOT NULL CHECK (source IN ('osm', 'import', 'crew_survey', 'verified_fix')),
        observed_at timestamptz NOT NULL,
        -- When the task service announced it: an older announcement arriving late changes nothing.
        announced_at timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, side)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_roadside`);
  }
}
