import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crew capacity: a crew's own limit of released works tasks and of surveys (null: the service's
 * default), and the index its queue is read by (created tasks held by a crew, in release order).
 */
export class CrewCapacity1733200000000 implements MigrationInterface {
  name = 'CrewCapacity1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE crew
        ADD COLUMN works_capacity  integer CHECK (works_capacity >= 1),
        ADD COLUMN survey_capacity integer CHECK (survey_capacity >= 1)`);
    await q.query(`CREATE INDEX task_crew_queue_idx ON task (crew_id, priority, created_at, id) WHERE status = 'created' AND crew_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_crew_queue_idx`);
    await q.query(`ALTER TABLE crew DROP COLUMN survey_capacity, DROP COLUMN works_capacity`);
  }
}
