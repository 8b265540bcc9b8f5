'use strict';
/**
 * Scoring alone on Andorra: the network and the SRTM tile are read once, then scoreNetwork (pure,
 * in memory) is timed several times per process, in several fresh processes. Reading the files is
 * left out, so a change to the scoring core shows without the noise of I/O.
 *
 *   node libs/geo/bench/score-network.bench.js [--runs N] [--iterations N]
 *
 * ROADLOOP_GEO_DIST=<dir> runs another build of the engine (to compare before and after a change).
 * Prints a JSON report on stdout (progress on stderr): medians of wall and CPU time (ms) over all
 * timed runs.
 */
const path = require('node:path');
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const u = require('./bench-utils');

const { runs: RUNS, iterations: ITERATIONS } = u.benchOptions({ numbers: { runs: 3, iterations: 5 } });

const ENGINE = path.join(u.DIST, 'engine.js');
const EXTRACT = path.join(u.DIST, 'osm/network-extractor.js');
const DEM = path.join(u.DIST, 'dem/elevation-model.js');
const OSM_FILE = path.join(u.DATA_DIR, 'andorra.osm.pbf');
const DEM_FILE = path.join(u.DATA_DIR, 'N42E001.hgt');

// One process: read once, one warm-up run (the tile is decoded on first touch), then timed runs.
const CHILD = `
(async () => {
  const { scoreNetwork } = require(${JSON.stringify(ENGINE)});
  const { extractNetwork } = require(${JSON.stringify(EXTRACT)});
  const { loadDem } = require(${JSON.stringify(DEM)});
  const { network } = await extractNetwork(${JSON.stringify(OSM_FILE)});
  const { model } = await loadDem(${JSON.stringify(DEM_FILE)});
  const warm = scoreNetwork({ network, dem: model });
  const ms = [];
  const cpuMs = [];
  for (let i = 0; i < ${ITERATIONS}; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    scoreNetwork({ network, dem: model });
    const used = process.cpuUsage(c);
    ms.push(performance.now() - t);
    cpuMs.push((used.user + used.system) / 1000);
  }
  process.stdout.write(JSON.stringify({ ms, cpuMs, segments: warm.summary.segments }));
})();`;

function main() {
  const report = { machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), dist: u.DIST, runs: RUNS, iterations: ITERATIONS };
  if (!existsSync(ENGINE)) {
    report.skipped = `${ENGINE} not built`;
  } else {
    const perRun = [];
    const all = [];
    const allCpu = [];
    for (let r = 0; r < RUNS; r++) {
      const out = JSON.parse(execFileSync(process.execPath, ['-e', CHILD], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(u.REPO_ROOT, 'node_modules') } }));
      report.segments = out.segments;
      perRun.push(Math.round(u.median(out.ms)));
      all.push(...out.ms);
      allCpu.push(...out.cpuMs);
      process.stderr.write(`  run ${r + 1}: median ${u.median(out.ms).toFixed(0)} ms (${out.ms.map((x) => x.toFixed(0)).join(', ')})\n`);
    }
    report.scoreMs = Math.round(u.median(all));
    report.minMs = Math.round(Math.min(...all));
    // CPU time of the scoring thread (user + system): less disturbed than wall time on a shared, loaded machine.
    report.cpuMs = Math.round(u.median(allCpu));
    report.perRunMedianMs = perRun;
    report.loadavgAfter = require('node:os').loadavg().map((x) => +x.toFixed(2));
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
