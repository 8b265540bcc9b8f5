'use strict';
/**
 * SegmentMatcher at scale: a deterministic synthetic network of 1,000,000 segments (see
 * generate-synthetic-network.js): index build time, memory, and matches per second on one core
 * for points within 20 m of a road (90 %) and anywhere in the area (10 %), tolerance 50 m.
 * Optionally also loads the network from a GeoJSON file with the streaming loader.
 *
 *   node --expose-gc libs/geo/bench/match-scale.bench.js [--segments N] [--points N] [--runs N]
 *        [--no-loader]
 *
 * Prints a JSON report on stdout (progress on stderr).
 */
const path = require('node:path');
const { mkdirSync, statSync, rmSync } = require('node:fs');
const u = require('./bench-utils');
const { generateSyntheticNetwork, writeGeoJson, SYNTHETIC_AREA } = require('./generate-synthetic-network');

const args = u.benchOptions({ numbers: { segments: 1_000_000, points: 200_000, runs: 5 }, flags: ['no-loader'] });
const SEGMENTS = args.segments;
const POINTS = args.points;
const RUNS = args.runs;
const TOLERANCE_M = 50;
const log = (text) => process.stderr.write(`${text}\n`);

const { SegmentMatcher, loadSegmentsGeoJson } = u.requireDist('index');

function gc() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
}

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

async function main() {
  const report = { machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), segments: SEGMENTS, points: POINTS, runs: RUNS, toleranceM: TOLERANCE_M };

  let t = performance.now();
  const packed = generateSyntheticNetwork({ segments: SEGMENTS, seed: 42 });
  report.generateMs = Math.round(performance.now() - t);
  report.pieces = packed.coords.length / 2 - SEGMENTS;
  report.inputMB = u.mb(packed.coords.byteLength + packed.vertexStart.byteLength);
  const points = u.queryPoints(packed, POINTS, 7, { nearFraction: 0.9, nearM: 20, box: SYNTHETIC_AREA });
  log(`generated ${SEGMENTS} segments, ${report.pieces} pieces in ${report.generateMs} ms`);

  gc();
  const before = memory();
  t = performance.now();
  let matcher = SegmentMatcher.build(packed);
  const firstBuildMs = performance.now() - t;
  gc();
  const after = memory();
  report.memory = {
    rssDeltaMB: u.mb(after.rss - before.rss),
    heapDeltaMB: u.mb(after.heap - before.heap),
    typedArraysDeltaMB: u.mb(after.arrayBuffers - before.arrayBuffers),
    rssAfterBuildMB: u.mb(after.rss),
  };
  const builds = [firstBuildMs];
  for (let r = 1; r < Math.min(RUNS, 3); r++) {
    matcher = null;
    gc();
    t = performance.now();
    matcher = SegmentMatcher.build(packed);
    builds.push(performance.now() - t);
  }
  report.buildMs = Math.round(u.median(builds));
  report.buildRunsMs = builds.map(Math.round);
  log(`build ${report.buildMs} ms (runs ${report.buildRunsMs.join(', ')}); memory ${JSON.stringify(report.memory)}`);

  const rates = [];
  const cpuRates = [];
  let matched = 0;
  for (let r = 0; r < RUNS; r++) {
    matched = 0;
    const cpu = process.cpuUsage();
    t = performance.now();
    for (let i = 0; i < points.length; i++) if (matcher.match(points[i][0], points[i][1], TOLERANCE_M) !== null) matched++;
    rates.push((points.length / (performance.now() - t)) * 1000);
    const used = process.cpuUsage(cpu);
    cpuRates.push(points.length / ((used.user + used.system) / 1e6));
  }
  report.perSecond = Math.round(u.median(rates));
  report.runsPerSecond = rates.map(Math.round);
  // Matches per second of this process's own CPU time: the same figure on an idle machine, and
  // less disturbed than wall time when other processes share the cores.
  report.perCpuSecond = Math.round(u.median(cpuRates));
  report.matched = matched;
  log(`match: ${report.perSecond} q/s (runs ${report.runsPerSecond.join(', ')}; per CPU second ${report.perCpuSecond}), ${matched}/${POINTS} matched`);

  if (!args['no-loader']) {
    const dir = path.join(__dirname, 'out');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `synthetic-${SEGMENTS}.geojson`);
    await writeGeoJson(packed, file);
    const loads = [];
    for (let r = 0; r < Math.min(RUNS, 3); r++) {
      gc();
      t = performance.now();
      const loaded = await loadSegmentsGeoJson(file);
      loads.push(performance.now() - t);
      if (loaded.ids.length !== SEGMENTS) throw new Error(`loaded ${loaded.ids.length} segments`);
    }
    report.loader = { fileMB: u.mb(statSync(file).size), loadMs: Math.round(u.median(loads)), runsMs: loads.map(Math.round) };
    rmSync(file);
    log(`loader: ${report.loader.fileMB} MB GeoJSON in ${report.loader.loadMs} ms`);
  }
  report.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
