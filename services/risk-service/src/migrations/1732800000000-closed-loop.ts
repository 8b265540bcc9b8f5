import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The closed loop: accidents, hazard duplicates and resolution, verified countermeasures, the
 * tasks seen from the task service, the history of every segment's score, and profile publication.
 */
export class ClosedLoop1732800000000 implements MigrationInterface {
  name = 'ClosedLoop1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accident (
        id                 uuid PRIMARY KEY,
        event_id           uuid NOT NULL UNIQUE,
        external_id        text UNIQUE,
        occurred_at        timestamptz NOT NULL,
        location           geometry(Point, 4326) NOT NULL,
        segment_id         text REFERENCES road_segment (id),
        match_distance_m   double precision,
        offset_m           double precision,
        deaths             integer NOT NULL CHECK (deaths >= 0),
        serious_injuries   integer NOT NULL CHECK (serious_injuries >= 0),
        slight_injuries    integer NOT NULL CHECK (slight_injuries >= 0),
        property_damage_only boolean NOT NULL,
        vehicles           integer NOT NULL CHECK (vehicles >= 1),
        weather            text,
        light              text,
        description        text,
        correlation_id     text NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX accident_segment_idx ON accident (segment_id, occurred_at)`);
    await q.query(`CREATE INDEX accident_unmatched_idx ON accident (received_at) WHERE segment_id IS NULL`);
    await q.query(`CREATE INDEX accident_location_gix ON accident USING gist (location)`);

    await q.query(`ALTER TABLE hazard DROP CONSTRAINT hazard_status_check`);
    await q.query(`ALTER TABLE hazard ADD CONSTRAINT hazard_status_check CHECK (status IN ('open', 'resolved', 'duplicate'))`);
    await q.query(`ALTER TABLE hazard ADD COLUMN offset_m double precision`);
    await q.query(`ALTER TABLE hazard ADD COLUMN duplicate_of uuid REFERENCES hazard (id)`);
    await q.query(`ALTER TABLE hazard ADD COLUMN assessed_at timestamptz`);
    await q.query(`ALTER TABLE hazard ADD COLUMN resolved_at timestamptz`);
    await q.query(`ALTER TABLE hazard ADD COLUMN resolved_by_task uuid`);
    await q.query(`CREATE INDEX hazard_location_gix ON hazard USING gist (location)`);

    await q.query(`
      CREATE TABLE task_state (
        task_id        uuid PRIMARY KEY,
        segment_id     text NOT NULL,
        status         text NOT NULL,
        countermeasure text NOT NULL,
        side           text,
        version        integer NOT NULL,
        verified_at    timestamptz,
        fix_failed     boolean NOT NULL DEFAULT false,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_state_segment_idx ON task_state (segment_id)`);

    await q.query(`ALTER TABLE segment_risk ADD COLUMN alarm text NOT NULL DEFAULT 'green'`);
    await q.query(`ALTER TABLE segment_risk ADD COLUMN exposure_score double precision`);
    await q.query(`ALTER TABLE segment_risk ADD COLUMN crash_estimate jsonb`);
    await q.query(`
      CREATE TABLE risk_history (
        segment_id text NOT NULL REFERENCES road_segment (id),
        revision   integer NOT NULL,
        score      double precision NOT NULL,
        level      text NOT NULL,
        cause      jsonb,
        at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, revision)
      )`);

    await q.query(`ALTER TABLE road_segment ADD COLUMN profile_published boolean NOT NULL DEFAULT false`);
    // Set by a re-import that changed a segment's exposure: its live risk must be recomputed.
    await q.query(`ALTER TABLE road_segment ADD COLUMN rescore_pending boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX road_segment_rescore_pending_idx ON road_segment (id) WHERE rescore_pending`);
    await q.query(`CREATE INDEX road_segment_profile_pending_idx ON road_segment (id) WHERE NOT profile_published`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX road_segment_rescore_pending_idx`);
    await q.query(`DROP INDEX road_segment_profile_pending_idx`);
    await q.query(`ALTER TABLE road_segment DROP COLUMN rescore_pending, DROP COLUMN profile_published`);
    await q.query(`DROP TABLE risk_history`);
    await q.query(`ALTER TABLE segment_risk DROP COLUMN crash_estimate, DROP COLUMN exposure_score, DROP COLUMN alarm`);
    await q.query(`DROP TABLE task_state`);
    await q.query(`DROP INDEX hazard_location_gix`);
    await q.query(`ALTER TABLE hazard DROP COLUMN resolved_by_task, DROP COLUMN resolved_at, DROP COLUMN assessed_at,
                   DROP COLUMN duplicate_of, DROP COLUMN offset_m`);
    await q.query(`DROP TABLE accident`);
  }
}
