'use strict';
/**
 * What the risk service's former start-up path costs at scale, without the database: its matcher
 * holder read every segment as `ST_AsGeoJSON` text in one query, parsed each into
 * `{ id, coordinates }` and built the SegmentMatcher from those rows. (It now reads WKB in batches
 * straight into the matcher: infra/bench/province-startup.js measures that against a real table.)
 * This script does the same as the former path from the synthetic network
 * (generate-synthetic-network.js, seed 42): the GeoJSON texts are made first (standing in for the
 * rows the driver returns), then parsed, then built, each step timed in CPU time, with the
 * process's RSS after each and its peak.
 *
 *   node --expose-gc libs/geo/bench/matcher-startup.bench.js [--segments N]
 *
 * Prints a JSON report on stdout (progress on stderr).
 */
const u = require('./bench-utils');
const { generateSyntheticNetwork } = require('./generate-synthetic-network');

const { segments: SEGMENTS } = u.benchOptions({ numbers: { segments: 5_000_000 } });
const { SegmentMatcher } = u.requireDist('index');
const log = (text) => process.stderr.write(`${text}\n`);

function step(report, name, fn) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  global.gc();
  report[name] = { cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Math.round(performance.now() - t), rssMB: u.mb(process.memoryUsage().rss), heapMB: u.mb(process.memoryUsage().heapUsed) };
  log(`${name}: ${JSON.stringify(report[name])}`);
  return value;
}

function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const report = { machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), segments: SEGMENTS };
  report.baseline = { rssMB: u.mb(process.memoryUsage().rss) };
  // The texts as the driver hands them over: one string per row (ST_AsGeoJSON(geom, 9)).
  let texts = step(report, 'rowsAsText', () => {
    const packed = generateSyntheticNetwork({ segments: SEGMENTS, seed: 42 });
    const out = new Array(SEGMENTS);
    for (let s = 0; s < SEGMENTS; s++) {
      const parts = [];
      for (let v = packed.vertexStart[s]; v < packed.vertexStart[s + 1]; v++) parts.push(`[${packed.coords[2 * v].toFixed(9)},${packed.coords[2 * v + 1].toFixed(9)}]`);
      out[s] = { id: packed.ids[s], g: `{"type":"LineString","coordinates":[${parts.join(',')}]}` };
    }
    return out;
  });
  // The former SegmentRepository.allGeometries: rows.map(r => ({ id, coordinates: JSON.parse(r.g).coordinates })).
  let rows = step(report, 'parseRows', () => texts.map((r) => ({ id: r.id, coordinates: JSON.parse(r.g).coordinates })));
  const matcher = step(report, 'buildMatcher', () => SegmentMatcher.build(rows));
  texts = null;
  rows = null;
  step(report, 'dropRows', () => null);
  report.pieces = matcher.pieceCount;
  report.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  log(`peak RSS ${report.maxRssMB} MB`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
