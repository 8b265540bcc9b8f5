#!/usr/bin/env node
/**
 * Memory of the risk service's map feature index (SegmentFeatureIndex) per segment, on Andorra.
 *
 * Stores Andorra (scored by the engine, 6,058 segments, attributes as an import stores them) in a
 * scratch schema with the risk service's migrations, then in this process (run with --expose-gc)
 * builds the index as the service does (`new SegmentFeatureIndex(await staticSegments())`) and
 * reports the growth of the JS heap and of array buffers after a GC while the index is held, per
 * segment (RSS is not used: the scoring before it leaves garbage that the GC returns meanwhile).
 * The schema is dropped at the end, also after a failure.
 *
 *   node --expose-gc infra/bench/feature-index-memory.js
 *
 * Needs a build (`npm run build`). Prints a JSON report on stdout.
 */
'use strict';
const { randomBytes } = require('node:crypto');
const { join, resolve } = require('node:path');
const os = require('node:os');

const ROOT = resolve(__dirname, '..', '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';
const dist = (rel) => require(join(ROOT, rel));

/** Memory after a GC (array buffers found dead are freed by a sweeper that may finish later: it is let). */
async function memory() {
  global.gc();
  await new Promise((done) => setTimeout(done, 1_000));
  global.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const { openDatabase } = dist('libs/persistence/dist');
  const { RISK_MIGRATIONS } = dist('services/risk-service/dist/migrations');
  const { SegmentRepository } = dist('services/risk-service/dist/segments/segment.repository');
  const { SpatialQueryRepository } = dist('services/risk-service/dist/queries/spatial-query.repository');
  const { SegmentFeatureIndex } = dist('services/risk-service/dist/queries/segment-features');
  const { andorraSegmentRecords } = dist('services/risk-service/dist/testing/andorra-segments');
  const schema = `featmem${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const db = await openDatabase({ url: DATABASE_URL, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
  try {
    await new SegmentRepository(db).upsert(await andorraSegmentRecords());
    const spatial = new SpatialQueryRepository(db);
    const before = await memory();
    const index = new SegmentFeatureIndex(await spatial.staticSegments());
    const after = await memory();
    const n = index.size;
    const perSegment = (k) => Math.round((after[k] - before[k]) / n);
    const report = {
      machine: { cpus: `${os.cpus().length} × ${os.cpus()[0].model}`, node: process.version },
      load: os.loadavg().map((x) => +x.toFixed(2)),
      segments: n,
      bytesPerSegment: { heap: perSegment('heapUsed'), arrayBuffers: perSegment('arrayBuffers') },
      heldMB: +((after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / 2 ** 20).toFixed(1),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
