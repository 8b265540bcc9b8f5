import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The evidence store's index: each photo uploaded for a task (the bytes are in the photo store under
 * their SHA-256), with the position and time its own EXIF gives. And the idempotency keys of crew
 * commands, so that a command a phone sends again after a lost answer is applied once.
 */
export class TaskPhotos1733100000000 implements MigrationInterface {
  name = 'TaskPhotos1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_photo (
        task_id        uuid NOT NULL REFERENCES task (id),
        sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        media_type     text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/heic', 'image/webp')),
        bytes          integer NOT NULL CHECK (bytes > 0),
        width          integer,
        height         integer,
        has_thumbnail  boolean NOT NULL,
        exif_location  geometry(Point, 4326),
        exif_taken_at  timestamptz,
        exif_time_zone text CHECK (exif_time_zone IN ('utc', 'offset', 'unknown')),
        uploaded_by    text NOT NULL,
        crew_id        text,
        uploaded_at    timestamptz NOT NULL,
        PRIMARY KEY (task_id, sha256)
      )`);
    await q.query(`
      CREATE TABLE task_command_key (
        actor_id   text NOT NULL,
        key        text NOT NULL,
        task_id    uuid NOT NULL REFERENCES task (id),
        action     text NOT NULL,
        version    integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_command_key`);
    await q.query(`DROP TABLE task_photo`);
  }
}
