import { MigrationInterface, QueryRunner } from 'typeorm';

/** Road segments with PostGIS geometry, hazard reports, and each segment's current risk. */
export class InitialSchema1732700000000 implements MigrationInterface {
  name = 'InitialSchema1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`);
    await q.query(`
      CREATE TABLE road_segment (
        id               text PRIMARY KEY,
        osm_way_id       bigint NOT NULL,
        piece_index      integer NOT NULL CHECK (piece_index >= 0),
        road_class       text NOT NULL,
        name             text,
        length_m         double precision NOT NULL CHECK (length_m >= 0),
        geom             geometry(LineString, 4326) NOT NULL,
        attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
        exposure_score   double precision NOT NULL CHECK (exposure_score >= 0),
        exposure_level   text NOT NULL,
        exposure_factors jsonb NOT NULL DEFAULT '[]'::jsonb,
        imported_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX road_segment_geom_gix ON road_segment USING gist (geom)`);
    // Distances in metres are taken on the spheroid; this index serves ST_DWithin on geography.
    await q.query(`CREATE INDEX road_segment_geog_gix ON road_segment USING gist ((geom::geography))`);
    await q.query(`CREATE INDEX road_segment_way_idx ON road_segment (osm_way_id, piece_index)`);
    await q.query(`
      CREATE TABLE hazard (
        id               uuid PRIMARY KEY,
        event_id         uuid NOT NULL UNIQUE,
        category         text NOT NULL,
        severity         text NOT NULL,
        location         geometry(Point, 4326) NOT NULL,
        segment_id       text REFERENCES road_segment (id),
        match_distance_m double precision,
        status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'duplicate')),
        reported_at      timestamptz NOT NULL,
        received_at      timestamptz NOT NULL DEFAULT now(),
        description      text,
        photo_urls       jsonb,
        reporter         jsonb,
        correlation_id   text NOT NULL
      )`);
    await q.query(`CREATE INDEX hazard_open_segment_idx ON hazard (segment_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX hazard_unmatched_idx ON hazard (received_at) WHERE segment_id IS NULL`);
    await q.query(`
      CREATE TABLE segment_risk (
        segment_id         text PRIMARY KEY REFERENCES road_segment (id),
        score              double precision NOT NULL CHECK (score >= 0),
        level              text NOT NULL,
        factors            jsonb NOT NULL,
        revision           integer NOT NULL DEFAULT 0,
        published_level    text,
        published_revision integer,
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_risk_score_idx ON segment_risk (score DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_risk`);
    await q.query(`DROP TABLE hazard`);
    await q.query(`DROP TABLE road_segment`);
  }
}
