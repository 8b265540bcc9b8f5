import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page of `hazard` for one more version of every row. A report is inserted by the
 * intake and, moments later, assessed (`assessed_at`, `duplicate_of`, status only when a duplicate).
 * With full pages that update wrote every row to another page and touched all five of the table's
 * indexes (the location's GiST among them); with the room it stays on its page, and unless the
 * report is a duplicate (its status is in a partial index) no index is touched. The new version is
 * longer than the old one (the assessment's time and the original's id were null), so pages are
 * filled to 45 %, not half. The price is a table about twice as large. Pages written
 * before this migration keep their old fill.
 */
export class HazardFillfactor1733300000000 implements MigrationInterface {
  name = 'HazardFillfactor1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hazard SET (fillfactor = 45)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hazard RESET (fillfactor)`);
  }
}
