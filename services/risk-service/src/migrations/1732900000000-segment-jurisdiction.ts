import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The jurisdiction responsible for each segment, as the task service announces it (a read model for
 * filtering and grouping by area), and an index for the before–after evaluation of verified fixes.
 */
export class SegmentJurisdiction1732900000000 implements MigrationInterface {
  name = 'SegmentJurisdiction1732900000000';

  async up(q: QueryRunner): Promise<void> {
    // No foreign key to road_segment: an assignment may arrive before the segment's import reaches this service.
    await q.query(`
      CREATE TABLE segment_jurisdiction (
        segment_id        text PRIMARY KEY,
        jurisdiction_id   text,
        jurisdiction_name text,
        revision          integer NOT NULL CHECK (revision >= 1),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_jurisdiction_jurisdiction_idx ON segment_jurisdiction (jurisdiction_id)`);
    await q.query(`CREATE INDEX task_state_verified_idx ON task_state (countermeasure, verified_at) WHERE verified_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_state_verified_idx`);
    await q.query(`DROP TABLE segment_jurisdiction`);
  }
}
