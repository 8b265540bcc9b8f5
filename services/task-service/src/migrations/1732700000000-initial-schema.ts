import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rectification tasks. At most one open task per segment and countermeasure. */
export class InitialSchema1732700000000 implements MigrationInterface {
  name = 'InitialSchema1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task (
        id              uuid PRIMARY KEY,
        segment_id      text NOT NULL,
        countermeasure  text NOT NULL,
        status          text NOT NULL,
        priority        text NOT NULL,
        reason          text NOT NULL,
        source_event_id uuid NOT NULL,
        correlation_id  text NOT NULL,
        risk_level      text,
        risk_score      double precision,
        due_at          timestamptz NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNIQUE INDEX task_one_open_per_segment_countermeasure
          ON task (segment_id, countermeasure)
       WHERE status NOT IN ('verified', 'cancelled', 'duplicate', 'unable_to_fix')`);
    await q.query(`CREATE INDEX task_segment_idx ON task (segment_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task`);
  }
}
