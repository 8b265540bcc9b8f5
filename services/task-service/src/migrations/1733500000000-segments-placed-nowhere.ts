import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `segment_jurisdiction` also records segments placed in no jurisdiction: revision 0, never
 * published (a segment no area ever held announces nothing, as before). Routing reads the stored
 * assignments, so a segment outside every area is answered from its row instead of by testing the
 * polygons again at every report. The segments known now that no area touches get that row. When
 * some that an area touches have none (a database from before assignments were stored), a flag
 * asks the service's next start to place every segment and publish the changes
 * (`SegmentJurisdictionCatchUp`); routing applies the rule to them until then.
 */
export class SegmentsPlacedNowhere1733500000000 implements MigrationInterface {
  name = 'SegmentsPlacedNowhere1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE segment_jurisdiction DROP CONSTRAINT segment_jurisdiction_revision_check`);
    await q.query(`ALTER TABLE segment_jurisdiction ADD CONSTRAINT segment_jurisdiction_revision_check CHECK (revision >= 0 AND (revision > 0 OR jurisdiction_id IS NULL))`);
    await q.query(`
      INSERT INTO segment_jurisdiction (segment_id, jurisdiction_id, jurisdiction_name, revision)
      SELECT s.segment_id, NULL, NULL, 0 FROM segment_ref s
       WHERE NOT EXISTS (SELECT 1 FROM segment_jurisdiction sj WHERE sj.segment_id = s.segment_id)
         AND NOT EXISTS (SELECT 1 FROM jurisdiction j WHERE ST_Intersects(j.geom, s.geom))`);
    await q.query(`CREATE TABLE IF NOT EXISTS segment_jurisdiction_catch_up (one boolean PRIMARY KEY DEFAULT true CHECK (one))`);
    await q.query(`
      INSERT INTO segment_jurisdiction_catch_up (one)
      SELECT true WHERE EXISTS (SELECT 1 FROM segment_ref s WHERE NOT EXISTS (SELECT 1 FROM segment_jurisdiction sj WHERE sj.segment_id = s.segment_id))
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_jurisdiction_catch_up`);
    await q.query(`DELETE FROM segment_jurisdiction WHERE revision = 0`);
    await q.query(`ALTER TABLE segment_jurisdiction DROP CONSTRAINT segment_jurisdiction_revision_check`);
    await q.query(`ALTER TABLE segment_jurisdiction ADD CONSTRAINT segment_jurisdiction_revision_check CHECK (revision >= 1)`);
  }
}
