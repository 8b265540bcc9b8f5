import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The network's revision: one row, bumped once by every transaction that adds, removes or changes
 * road segments (not by the relay's and the re-scorer's flags). The matcher and the map's feature
 * cache read it to know whether to rebuild; counting the segments for that, as they did, read the
 * whole table every few seconds, which on a province's 5 M segments took seconds each time.
 *
 * The trigger names the columns that make up the network: a later migration that adds one must add
 * it to `road_segment_network_revision` too, or a change of that column alone goes unseen. An import
 * holds the row's lock until it commits, so two imports into one schema run one after the other.
 */
export class NetworkRevision1733200000000 implements MigrationInterface {
  name = 'NetworkRevision1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE network_revision (
        one        boolean PRIMARY KEY DEFAULT true CHECK (one),
        revision   bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO network_revision (revision) VALUES (1)`);
    // The table is named with the trigger's schema: a writer's search path does not decide which row is
    // bumped. A transaction that already bumped it (the row's version is its own, stamped with its start
    // time) leaves it: an import's thousands of statements make one new version of the row, not one each.
    await q.query(`
      CREATE FUNCTION bump_network_revision() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('UPDATE %I.network_revision SET revision = revision + 1, changed_at = now()
                         WHERE NOT (xmin = pg_current_xact_id()::xid AND changed_at = now())', TG_TABLE_SCHEMA);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER road_segment_network_revision
        AFTER INSERT OR DELETE OR UPDATE OF id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes,
                                            exposure_score, exposure_level, exposure_factors, imported_at
        ON road_segment FOR EACH STATEMENT EXECUTE FUNCTION bump_network_revision()`);
    await q.query(`
      CREATE TRIGGER road_segment_network_revision_truncate
        AFTER TRUNCATE ON road_segment FOR EACH STATEMENT EXECUTE FUNCTION bump_network_revision()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER road_segment_network_revision_truncate ON road_segment`);
    await q.query(`DROP TRIGGER road_segment_network_revision ON road_segment`);
    await q.query(`DROP FUNCTION bump_network_revision()`);
    await q.query(`DROP TABLE network_revision`);
  }
}
