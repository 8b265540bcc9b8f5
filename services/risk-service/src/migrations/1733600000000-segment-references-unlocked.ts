import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hazards, crashes and risk history name their segment without locking its row.
 *
 * A foreign key checks each new row by locking the row it references (`FOR KEY SHARE`). PostgreSQL
 * keeps that lock in the row itself, so the check writes the referenced segment's page: on a
 * province of a million segments, where reports fall on segments at random, every hazard dirtied
 * another page of `road_segment`, and its first change after a checkpoint is a full-page image in
 * the WAL. 20,000 rows referencing random rows of a 1 M-row table took 934 ms and 139 MB of WAL with
 * the key, 58 ms and 2.9 MB without it.
 *
 * - `hazard.segment_id` and `accident.segment_id` keep no foreign key. Segments are never deleted
 *   by the service (an import adds and updates them), and triggers on `road_segment` refuse what the
 *   keys refused at the end of a statement: deleting a segment a hazard or crash names, and
 *   truncating the segments while hazards or crashes name any (a TRUNCATE … CASCADE emptied them;
 *   now it is refused unless they are truncated with it). What the triggers cannot see, since they
 *   read committed rows: a hazard inserted while another transaction deletes its segment, which the
 *   key's lock serialised, may name a segment that is gone. Only a removal by hand can do that (a
 *   scored segment cannot be deleted at all: its risk row still references it); the segments stage
 *   then dead-letters the report as UNKNOWN_SEGMENT.
 * - `risk_history` references `segment_risk` instead of `road_segment`: each history row is written
 *   by the statement that writes its segment's risk row, whose row lock the writer already holds,
 *   so the check writes no other page. The risk row references the segment as before.
 */
export class SegmentReferencesUnlocked1733600000000 implements MigrationInterface {
  name = 'SegmentReferencesUnlocked1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hazard DROP CONSTRAINT hazard_segment_id_fkey`);
    await q.query(`ALTER TABLE accident DROP CONSTRAINT accident_segment_id_fkey`);
    await q.query(`ALTER TABLE risk_history DROP CONSTRAINT risk_history_segment_id_fkey`);
    await q.query(`ALTER TABLE risk_history ADD CONSTRAINT risk_history_segment_id_fkey FOREIGN KEY (segment_id) REFERENCES segment_risk (segment_id)`);
    // The tables are named with the trigger's schema: a writer's search path does not decide which are read.
    // After the TRUNCATE, so that hazards and crashes truncated by the same statement count as gone.
    await q.query(`
      CREATE FUNCTION road_segment_still_named() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        named text;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          EXECUTE format('SELECT coalesce((SELECT segment_id FROM %1$I.hazard WHERE segment_id IS NOT NULL LIMIT 1),
                                          (SELECT segment_id FROM %1$I.accident WHERE segment_id IS NOT NULL LIMIT 1))', TG_TABLE_SCHEMA)
            INTO named;
        ELSE
          EXECUTE format('SELECT g.id FROM gone g WHERE EXISTS (SELECT 1 FROM %1$I.hazard h WHERE h.segment_id = g.id)
                                                   OR EXISTS (SELECT 1 FROM %1$I.accident a WHERE a.segment_id = g.id) LIMIT 1', TG_TABLE_SCHEMA)
            INTO named;
        END IF;
        IF named IS NOT NULL THEN
          RAISE EXCEPTION 'segment % is still named by a hazard or a crash: road segments are not removed', named
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER road_segment_still_named
        AFTER DELETE ON road_segment REFERENCING OLD TABLE AS gone
        FOR EACH STATEMENT EXECUTE FUNCTION road_segment_still_named()`);
    await q.query(`
      CREATE TRIGGER road_segment_still_named_truncate
        AFTER TRUNCATE ON road_segment FOR EACH STATEMENT EXECUTE FUNCTION road_segment_still_named()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER road_segment_still_named_truncate ON road_segment`);
    await q.query(`DROP TRIGGER road_segment_still_named ON road_segment`);
    await q.query(`DROP FUNCTION road_segment_still_named()`);
    await q.query(`ALTER TABLE risk_history DROP CONSTRAINT risk_history_segment_id_fkey`);
    await q.query(`ALTER TABLE risk_history ADD CONSTRAINT risk_history_segment_id_fkey FOREIGN KEY (segment_id) REFERENCES road_segment (id)`);
    // Not validated: a hazard that names a segment removed by hand meanwhile must not stop the way back.
    await q.query(`ALTER TABLE accident ADD CONSTRAINT accident_segment_id_fkey FOREIGN KEY (segment_id) REFERENCES road_segment (id) NOT VALID`);
    await q.query(`ALTER TABLE hazard ADD CONSTRAINT hazard_segment_id_fkey FOREIGN KEY (segment_id) REFERENCES road_segment (id) NOT VALID`);
  }
}
