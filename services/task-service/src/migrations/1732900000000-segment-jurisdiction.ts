import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The responsible jurisdiction of each segment as last published on `segment.jurisdiction`: a row
 * exists once a segment was placed in a jurisdiction; its revision grows by one at every change
 * (consumers ignore older revisions). The name is kept so that renaming an area is published too.
 */
export class SegmentJurisdiction1732900000000 implements MigrationInterface {
  name = 'SegmentJurisdiction1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE segment_jurisdiction (
        segment_id        text PRIMARY KEY,
        jurisdiction_id   text,
        jurisdiction_name text,
        revision          integer NOT NULL CHECK (revision >= 1),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_jurisdiction_jurisdiction_idx ON segment_jurisdiction (jurisdiction_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_jurisdiction`);
  }
}
