import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The risk model version that computed each segment's score: the service re-scores every segment
 * whose version differs from its own at start-up (rows from before this column read as stale).
 */
export class RiskModelVersion1733000000000 implements MigrationInterface {
  name = 'RiskModelVersion1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE segment_risk ADD COLUMN model_version text`);
    await q.query(`ALTER TABLE risk_history ADD COLUMN model_version text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE risk_history DROP COLUMN model_version`);
    await q.query(`ALTER TABLE segment_risk DROP COLUMN model_version`);
  }
}
