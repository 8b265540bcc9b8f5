'use strict';

/**
 * Marks every imported segment's profile as announced, so that a service started on a large
 * network does not spend the measurement announcing millions of profiles (the task service then
 * does not learn the network). Every row is rewritten, so the table is vacuumed now rather than by
 * autovacuum during the measurement.
 */
async function markProfilesAnnounced(db, schema) {
  await db.query(`UPDATE "${schema}".road_segment SET profile_published = true WHERE NOT profile_published`);
  await db.query(`VACUUM (ANALYZE) "${schema}".road_segment`);
}

module.exports = { markProfilesAnnounced };
