'use strict';
/**
 * The whole `roadloop-geo match` command on Andorra's roads, against its in-process matcher on
 * the same points: what reading the CSV, writing the CSV and start-up cost.
 *
 * Segments: the 22,300 reference road pieces written as a GeoJSON FeatureCollection. Points:
 * seeded (seed 20240607, the same as match-andorra.bench.js), 90 % within 20 m of a piece and 10 %
 * uniform in the road bounding box, written with 7 decimals as a "lon,lat" CSV. Each run starts
 * `node libs/geo/bin/roadloop-geo.js match` afresh; its wall time is from spawn to exit and its
 * CPU time is the child's user + system time (bash `times`). The command's output must equal,
 * byte for byte, the rows built from the in-process matcher's answers. Then the points file is read
 * alone by csv-parse and by the command's own CSV reader, for the choice between them.
 *
 *   [ROADLOOP_GEO_BIN=other/bin/roadloop-geo.js] node libs/geo/bench/match-command.bench.js [--points N] [--runs N]
 *        [--threads 1,2|default] [--index-cache]
 *
 * --index-cache: each --threads value is also run with `--index-cache` (a build that has it), the
 * cache written by one untimed run first, so the timed runs load the index instead of building it.
 *
 * Prints a JSON report on stdout (progress on stderr). Inputs and outputs go to bench/out/.
 */
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const u = require('./bench-utils');

// --threads: the command's --threads values to run, comma-separated; "default" runs it without
// the flag (a build from before the flag existed).
const { points: POINTS, runs: RUNS, threads, 'index-cache': INDEX_CACHE } = u.benchOptions({
  numbers: { points: 200_000, runs: 5 },
  strings: { threads: '1,2' },
  flags: ['index-cache'],
});
const THREADS = threads.split(',');
const TOLERANCE_M = 50;
const SEED = 20240607;
const OUT_DIR = path.join(__dirname, 'out');
// ROADLOOP_GEO_BIN: another build of the command (to compare a change against the code before it).
const BIN = process.env.ROADLOOP_GEO_BIN ? path.resolve(process.env.ROADLOOP_GEO_BIN) : path.join(__dirname, '../bin/roadloop-geo.js');

const log = (text) => process.stderr.write(`${text}\n`);
const perSecond = (count, ms) => (count / ms) * 1000;

const { SegmentMatcher, packSegments } = u.requireDist('index');

function writeInputs(pieces) {
  mkdirSync(OUT_DIR, { recursive: true });
  const segmentsFile = path.join(OUT_DIR, 'andorra-pieces.geojson');
  const features = pieces.map((p) => ({ type: 'Feature', properties: { id: p.id }, geometry: { type: 'LineString', coordinates: p.coordinates } }));
  writeFileSync(segmentsFile, JSON.stringify({ type: 'FeatureCollection', features }));
  const points = u.queryPoints(packSegments(pieces), POINTS, SEED, { nearFraction: 0.9, nearM: 20, box: u.ANDORRA_ROAD_BOX });
  const texts = points.map(([lon, lat]) => [lon.toFixed(7), lat.toFixed(7)]);
  const pointsFile = path.join(OUT_DIR, `andorra-points-${POINTS}.csv`);
  writeFileSync(pointsFile, `lon,lat\n${texts.map((t) => t.join(',')).join('\n')}\n`);
  return { segmentsFile, pointsFile, texts };
}

/** The command's expected output, from the in-process matcher, and that matcher's rate. */
function inProcess(pieces, texts) {
  const matcher = SegmentMatcher.build(packSegments(pieces));
  const coords = texts.map(([lon, lat]) => [Number(lon), Number(lat)]);
  const rates = [];
  const cpuRates = [];
  for (let r = 0; r < RUNS; r++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < coords.length; i++) matcher.match(coords[i][0], coords[i][1], TOLERANCE_M);
    rates.push(perSecond(coords.length, performance.now() - t));
    const used = process.cpuUsage(cpu);
    cpuRates.push(perSecond(coords.length, (used.user + used.system) / 1000));
  }
  const rows = ['lon,lat,segmentId,distanceM,offsetM'];
  let matched = 0;
  for (let i = 0; i < coords.length; i++) {
    const m = matcher.match(coords[i][0], coords[i][1], TOLERANCE_M);
    if (m === null) rows.push(`${texts[i][0]},${texts[i][1]},,,`);
    else {
      matched++;
      rows.push(`${texts[i][0]},${texts[i][1]},${m.segmentId},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}`);
    }
  }
  return { expected: `${rows.join('\n')}\n`, perSecond: u.median(rates), perCpuSecond: u.median(cpuRates), matched };
}

/**
 * Reading the points file alone: csv-parse (streaming, with `info` for each record's line number,
 * which the command needs for its errors, and without) against the command's CsvRecordReader.
 * CPU ms per pass, median of RUNS passes after one warm-up pass, all in this process.
 */
async function timeReaders(pointsFile) {
  const { createReadStream } = require('node:fs');
  const { parse } = require('csv-parse');
  const { CsvRecordReader } = u.requireDist('cli/csv-records');
  const csvParse = (info) => async () => {
    let n = 0;
    const parser = createReadStream(pointsFile).pipe(parse({ info, trim: true, relax_column_count: true, skip_empty_lines: false }));
    for await (const record of parser) n += info ? record.record.length : record.length;
    return n;
  };
  const readers = {
    'csv-parse, info (line numbers)': csvParse(true),
    'csv-parse, no line numbers': csvParse(false),
    CsvRecordReader: async () => {
      let n = 0;
      const reader = new CsvRecordReader();
      const on = (fields) => (n += fields.length);
      for await (const chunk of createReadStream(pointsFile, { encoding: 'utf8', highWaterMark: 1 << 16 })) reader.push(chunk, on);
      reader.end(on);
      return n;
    },
  };
  const out = {};
  for (const [name, read] of Object.entries(readers)) {
    const times = [];
    let fields = 0;
    for (let r = 0; r <= RUNS; r++) {
      const cpu = process.cpuUsage();
      fields = await read();
      const used = process.cpuUsage(cpu);
      if (r > 0) times.push((used.user + used.system) / 1000);
    }
    if (fields !== 2 * (POINTS + 1)) throw new Error(`${name} read ${fields} fields`);
    out[name] = { cpuMs: Math.round(u.median(times)), rowsPerCpuSecond: Math.round(perSecond(POINTS + 1, u.median(times))) };
    log(`reader ${name}: ${JSON.stringify(out[name])}`);
  }
  return out;
}

/** One run of the command in a fresh process: wall ms, the child's CPU ms, its summary line. */
function runCommand(segmentsFile, pointsFile, outFile, threadsFlag, cacheFile) {
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const extra = (threadsFlag === 'default' ? '' : ` --threads ${threadsFlag}`) + (cacheFile === undefined ? '' : ` --index-cache ${quote(cacheFile)}`);
  const script = `${quote(process.execPath)} ${quote(BIN)} match --segments ${quote(segmentsFile)} --points ${quote(pointsFile)} --out ${quote(outFile)} --tolerance-m ${TOLERANCE_M}${extra} || exit $?; times`;
  const t = performance.now();
  const res = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const wallMs = performance.now() - t;
  if (res.status !== 0) throw new Error(`the command failed with status ${res.status}: ${res.stderr}`);
  // `times` prints the shell's then its children's user and system time: "0m1.234s 0m0.056s".
  const lines = res.stdout.trim().split('\n');
  const children = lines.pop().match(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/);
  lines.pop(); // the shell's own times
  const cpuMs = (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000;
  return { wallMs, cpuMs, summary: lines.join('\n') };
}

async function main() {
  const report = { bin: path.relative(u.REPO_ROOT, BIN), machine: u.machine(), loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)), toleranceM: TOLERANCE_M, points: POINTS, runs: RUNS };
  const pieces = u.readReferencePieces();
  const { segmentsFile, pointsFile, texts } = writeInputs(pieces);
  report.segments = pieces.length;
  report.inputMB = { segments: +(statSync(segmentsFile).size / 2 ** 20).toFixed(1), points: +(statSync(pointsFile).size / 2 ** 20).toFixed(1) };
  log(`wrote ${pieces.length} segments and ${POINTS} points`);

  const reference = inProcess(pieces, texts);
  report.inProcess = { perSecond: Math.round(reference.perSecond), perCpuSecond: Math.round(reference.perCpuSecond), matched: reference.matched };
  log(`in-process matcher: ${Math.round(reference.perSecond)} points/s, ${Math.round(reference.perCpuSecond)} per CPU second`);

  const outFile = path.join(OUT_DIR, `andorra-matched-${POINTS}.csv`);
  report.command = {};
  const cacheFile = path.join(OUT_DIR, 'andorra-pieces.index-cache');
  const variants = THREADS.flatMap((t) => (INDEX_CACHE ? [[t, undefined], [t, cacheFile]] : [[t, undefined]]));
  for (const [threadsFlag, cache] of variants) {
    const name = `threads ${threadsFlag}${cache === undefined ? '' : ', index cache'}`;
    if (cache !== undefined) {
      rmSync(cache, { force: true });
      runCommand(segmentsFile, pointsFile, outFile, threadsFlag, cache); // writes the cache
    }
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const run = runCommand(segmentsFile, pointsFile, outFile, threadsFlag, cache);
      const output = readFileSync(outFile, 'utf8');
      if (output !== reference.expected) throw new Error(`${name}, run ${r + 1}: the command's output differs from the in-process matcher's`);
      if (cache !== undefined && !run.summary.includes('index from cache')) throw new Error(`${name}, run ${r + 1}: the index was not read from the cache`);
      runs.push(run);
      log(`${name}, run ${r + 1}: ${Math.round(run.wallMs)} ms wall, ${Math.round(run.cpuMs)} ms CPU; ${run.summary}`);
    }
    report.command[name] = {
      perSecond: Math.round(perSecond(POINTS, u.median(runs.map((r) => r.wallMs)))),
      perCpuSecond: Math.round(perSecond(POINTS, u.median(runs.map((r) => r.cpuMs)))),
      wallMs: Math.round(u.median(runs.map((r) => r.wallMs))),
      cpuMs: Math.round(u.median(runs.map((r) => r.cpuMs))),
      runsPerSecond: runs.map((r) => Math.round(perSecond(POINTS, r.wallMs))),
      outputEqualsInProcess: true,
      lastSummary: runs[runs.length - 1].summary,
    };
  }
  rmSync(outFile);
  rmSync(cacheFile, { force: true });
  report.readers = await timeReaders(pointsFile);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
