import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The task lifecycle: versioned tasks with crews and jurisdictions, their audit trail, completion
 * evidence, a transactional outbox, and the read models the rules need (segment geometry and profile,
 * hazards and crashes matched to segments, the last applied risk revision per segment).
 */
export class TaskLifecycle1732800000000 implements MigrationInterface {
  name = 'TaskLifecycle1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`);

    await q.query(`
      CREATE TABLE jurisdiction (
        id         text PRIMARY KEY,
        name       text NOT NULL,
        geom       geometry(MultiPolygon, 4326) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX jurisdiction_geom_gix ON jurisdiction USING gist (geom)`);
    await q.query(`
      CREATE TABLE crew (
        id              text PRIMARY KEY,
        name            text NOT NULL,
        jurisdiction_id text NOT NULL REFERENCES jurisdiction (id),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX crew_jurisdiction_idx ON crew (jurisdiction_id, id)`);

    await q.query(`
      CREATE TABLE segment_ref (
        segment_id          text PRIMARY KEY,
        geom                geometry(LineString, 4326) NOT NULL,
        road_class          text NOT NULL,
        name                text,
        length_m            double precision NOT NULL,
        profile             jsonb NOT NULL,
        profile_event_id    uuid NOT NULL,
        profile_occurred_at timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_ref_geom_gix ON segment_ref USING gist (geom)`);

    // Reports matched to segments, once each (their ids are the idempotency keys of report-matched).
    await q.query(`
      CREATE TABLE segment_hazard (
        hazard_id   uuid PRIMARY KEY,
        segment_id  text NOT NULL,
        category    text NOT NULL,
        severity    text NOT NULL,
        reported_at timestamptz NOT NULL,
        event_id    uuid NOT NULL,
        resolved_at timestamptz,
        resolved_by uuid
      )`);
    await q.query(`CREATE INDEX segment_hazard_open_idx ON segment_hazard (segment_id) WHERE resolved_at IS NULL`);
    await q.query(`
      CREATE TABLE segment_accident (
        accident_id uuid PRIMARY KEY,
        segment_id  text NOT NULL,
        occurred_at timestamptz NOT NULL,
        deaths      integer NOT NULL,
        serious_injuries integer NOT NULL,
        slight_injuries  integer NOT NULL,
        event_id    uuid NOT NULL
      )`);
    await q.query(`
      CREATE TABLE segment_risk_state (
        segment_id text PRIMARY KEY,
        revision   integer NOT NULL,
        level      text NOT NULL,
        event_id   uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      ALTER TABLE task
        ADD COLUMN side            text CHECK (side IN ('left', 'right', 'both')),
        ADD COLUMN rule            text NOT NULL DEFAULT 'risk_level',
        ADD COLUMN hazard_ids      uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN jurisdiction_id text REFERENCES jurisdiction (id),
        ADD COLUMN crew_id         text REFERENCES crew (id),
        ADD COLUMN version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        ADD COLUMN fix_failed      boolean NOT NULL DEFAULT false,
        ADD COLUMN duplicate_of    uuid REFERENCES task (id),
        ADD COLUMN status_reason   text,
        ADD COLUMN reopen_count    integer NOT NULL DEFAULT 0,
        ADD COLUMN accepted_at     timestamptz,
        ADD COLUMN submitted_at    timestamptz,
        ADD COLUMN verified_at     timestamptz,
        ADD COLUMN closed_at       timestamptz,
        ADD COLUMN escalated_at    timestamptz`);
    await q.query(`
      ALTER TABLE task ADD CONSTRAINT task_status_known CHECK (status IN
        ('created', 'assigned', 'accepted', 'in_progress', 'submitted', 'verified', 'rejected',
         'cancelled', 'duplicate', 'unable_to_fix', 'reopened'))`);
    await q.query(`ALTER TABLE task ADD CONSTRAINT task_priority_known CHECK (priority IN ('p1', 'p2', 'p3'))`);
    await q.query(`CREATE INDEX task_crew_open_idx ON task (crew_id) WHERE status NOT IN ('verified', 'cancelled', 'duplicate', 'unable_to_fix')`);
    await q.query(`CREATE INDEX task_jurisdiction_idx ON task (jurisdiction_id, status)`);
    await q.query(`CREATE INDEX task_due_idx ON task (due_at) WHERE escalated_at IS NULL AND status IN
      ('created', 'assigned', 'accepted', 'in_progress', 'rejected', 'reopened')`);
    await q.query(`CREATE INDEX task_verified_idx ON task (segment_id, verified_at) WHERE status = 'verified'`);

    await q.query(`
      CREATE TABLE task_history (
        id          bigserial PRIMARY KEY,
        task_id     uuid NOT NULL REFERENCES task (id),
        version     integer NOT NULL,
        change      text NOT NULL,
        from_status text,
        to_status   text NOT NULL,
        actor_role  text NOT NULL,
        actor_id    text NOT NULL,
        reason      text,
        details     jsonb,
        event_id    uuid,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX task_history_task_idx ON task_history (task_id, id)`);

    await q.query(`
      CREATE TABLE task_evidence (
        seq          bigserial PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        task_id      uuid NOT NULL REFERENCES task (id),
        crew_id      text,
        submitted_by text NOT NULL,
        photos       jsonb NOT NULL,
        location     geometry(Point, 4326) NOT NULL,
        accuracy_m   double precision NOT NULL,
        captured_at  timestamptz NOT NULL,
        notes        text,
        checks       jsonb NOT NULL,
        submitted_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX task_evidence_task_idx ON task_evidence (task_id, seq)`);

    // The transactional outbox: whole events (envelope included, eventId fixed here) awaiting the relay.
    await q.query(`
      CREATE TABLE outbox (
        seq          bigserial PRIMARY KEY,
        event_id     uuid NOT NULL UNIQUE,
        topic        text NOT NULL,
        message_key  text NOT NULL,
        value        jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (seq) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE task_evidence`);
    await q.query(`DROP TABLE task_history`);
    await q.query(`DROP INDEX task_verified_idx`);
    await q.query(`DROP INDEX task_due_idx`);
    await q.query(`DROP INDEX task_jurisdiction_idx`);
    await q.query(`DROP INDEX task_crew_open_idx`);
    await q.query(`ALTER TABLE task DROP CONSTRAINT task_priority_known, DROP CONSTRAINT task_status_known`);
    await q.query(`
      ALTER TABLE task DROP COLUMN side, DROP COLUMN rule, DROP COLUMN hazard_ids, DROP COLUMN jurisdiction_id,
        DROP COLUMN crew_id, DROP COLUMN version, DROP COLUMN fix_failed, DROP COLUMN duplicate_of,
        DROP COLUMN status_reason, DROP COLUMN reopen_count, DROP COLUMN accepted_at, DROP COLUMN submitted_at,
        DROP COLUMN verified_at, DROP COLUMN closed_at, DROP COLUMN escalated_at`);
    await q.query(`DROP TABLE segment_risk_state`);
    await q.query(`DROP TABLE segment_accident`);
    await q.query(`DROP TABLE segment_hazard`);
    await q.query(`DROP TABLE segment_ref`);
    await q.query(`DROP TABLE crew`);
    await q.query(`DROP TABLE jurisdiction`);
  }
}
