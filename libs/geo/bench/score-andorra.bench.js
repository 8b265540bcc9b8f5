'use strict';
/**
 * Scoring the whole Andorra extract with the engine's scoreFiles (OSM PBF + SRTM tile): wall time
 * and peak RSS, each run in a fresh Node process so that the peak belongs to that run alone.
 *
 *   node libs/geo/bench/score-andorra.bench.js [--runs N]
 *
 * Prints a JSON report on stdout (progress on stderr).
 */
const path = require('node:path');
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const u = require('./bench-utils');

const RUNS = u.benchOptions({ numbers: { runs: 5 } }).runs;

const ENGINE = path.join(u.DIST, 'engine.js');
const OSM = path.join(u.DATA_DIR, 'andorra.osm.pbf');
const DEM = path.join(u.DATA_DIR, 'N42E001.hgt');

// One run, in the child: time scoreFiles and report the process's peak resident set.
const CHILD = `
const started = performance.now();
require(${JSON.stringify(ENGINE)}).scoreFiles({ osmPath: ${JSON.stringify(OSM)}, demPath: ${JSON.stringify(DEM)} }).then((r) => {
  const wallMs = performance.now() - started;
  process.stdout.write(JSON.stringify({ wallMs, maxRssMB: process.resourceUsage().maxRSS / 1024, segments: r.summary.segments, lengthKm: r.summary.lengthKm }));
});`;

function main() {
  const report = { machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), runs: RUNS };
  if (!existsSync(ENGINE)) {
    report.skipped = 'libs/geo/dist/engine.js not built';
  } else if (typeof require(ENGINE).scoreFiles !== 'function') {
    report.skipped = 'engine.js has no scoreFiles';
  } else {
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const out = JSON.parse(execFileSync(process.execPath, ['-e', CHILD], { encoding: 'utf8' }));
      runs.push({ ...out, processMs: performance.now() - t });
      process.stderr.write(`  run ${r + 1}: ${out.wallMs.toFixed(0)} ms, peak RSS ${out.maxRssMB.toFixed(0)} MB\n`);
    }
    report.segments = runs[0].segments;
    report.lengthKm = runs[0].lengthKm;
    report.wallMs = Math.round(u.median(runs.map((r) => r.wallMs)));
    report.processMs = Math.round(u.median(runs.map((r) => r.processMs)));
    report.maxRssMB = Math.round(u.median(runs.map((r) => r.maxRssMB)));
    report.runsMs = runs.map((r) => Math.round(r.wallMs));
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
