'use strict';
/**
 * Runs the geo benchmarks, each in its own Node process (a fresh heap, pinned to CPU 0 with
 * `taskset` where it exists, so "one core" means one core; the match command's benchmark is not
 * pinned, as the command can use two threads), prints a Markdown summary and writes
 * every report to libs/geo/bench/out/results-<time>.json. Build first: `npx tsc -b libs/geo`
 * (`npm run bench:geo` does both).
 *
 *   node libs/geo/bench/run-benchmarks.js [--quick] [--only andorra|command|scale|score]
 */
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const u = require('./bench-utils');

const { quick, only } = u.benchOptions({ strings: { only: undefined }, flags: ['quick'] });
const SCRIPTS = ['andorra', 'command', 'scale', 'score'];
if (only !== undefined && !SCRIPTS.includes(only)) {
  process.stderr.write(`run-benchmarks.js: --only must be one of ${SCRIPTS.join(', ')}, got "${only}"\n`);
  process.exit(2);
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
const pin = hasTaskset();

// `pinned: false` for the match command, which can use both cores of a 2-vCPU machine (--threads 2).
function run(script, scriptArgs, nodeArgs = [], { pinned = true } = {}) {
  const argv = [...nodeArgs, path.join(__dirname, script), ...scriptArgs];
  const [cmd, full] = pin && pinned ? ['taskset', ['-c', '0', process.execPath, ...argv]] : [process.execPath, argv];
  process.stderr.write(`$ ${[cmd, ...full].join(' ')}\n`);
  const res = spawnSync(cmd, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`${script} failed with status ${res.status}`);
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

function main() {
  const results = { startedAt: new Date().toISOString(), machine: u.machine(), pinnedToCpu0: pin };
  if (!only || only === 'andorra') {
    results.andorra = run('match-andorra.bench.js', quick ? ['--points', '20000', '--runs', '2', '--naive-points', '5', '--pg-points', '500'] : []);
  }
  if (!only || only === 'command') {
    results.command = run('match-command.bench.js', quick ? ['--points', '20000', '--runs', '2'] : [], [], { pinned: false });
  }
  if (!only || only === 'scale') {
    results.scale = run('match-scale.bench.js', quick ? ['--segments', '100000', '--points', '20000', '--runs', '2'] : [], ['--expose-gc']);
  }
  if (!only || only === 'score') {
    results.score = run('score-andorra.bench.js', quick ? ['--runs', '1'] : []);
  }
  const dir = path.join(__dirname, 'out');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

  const lines = [`machine: ${results.machine.cpu}, nproc ${results.machine.nproc}, node ${results.machine.node}${pin ? ', pinned to CPU 0' : ''}`, ''];
  const a = results.andorra;
  if (a) {
    lines.push('| Andorra, tolerance 50 m | queries/s |', '|---|---:|');
    lines.push(`| SegmentMatcher, ${fmt(a.referencePieces.pieces)} reference pieces (build ${a.referencePieces.buildMs} ms) | ${fmt(a.referencePieces.perSecond)} |`);
    if (a.scoredSegments && !a.scoredSegments.skipped) {
      lines.push(`| SegmentMatcher, ${fmt(a.scoredSegments.segments)} scored segments (${fmt(a.scoredSegments.pieces)} pieces) | ${fmt(a.scoredSegments.perSecond)} |`);
    }
    lines.push(`| naive Turf pointToLineDistance scan (${a.naive.points} points) | ${a.naive.perSecond.toFixed(2)} |`);
    if (a.postgis && !a.postgis.skipped) {
      for (const v of ['geometry', 'geography']) {
        const w = a.postgis[v].accuracy.withinTolerance;
        lines.push(`| PostGIS ${v} \`<->\` LIMIT 1 (${a.postgis[v].points} points; ${w.farther1cm}/${w.points} matchable picks not the nearest) | ${fmt(a.postgis[v].perSecond)} |`);
      }
    }
    lines.push('');
  }
  const c = results.command;
  if (c) {
    lines.push(`| \`roadloop-geo match\`, ${fmt(c.points)} points, ${fmt(c.segments)} segments | points/s | per CPU second |`, '|---|---:|---:|');
    for (const [name, r] of Object.entries(c.command)) lines.push(`| whole command, ${name} (fresh process, CSV in and out) | ${fmt(r.perSecond)} | ${fmt(r.perCpuSecond)} |`);
    lines.push(`| its matcher in-process, same points | ${fmt(c.inProcess.perSecond)} | ${fmt(c.inProcess.perCpuSecond)} |`);
    for (const [name, r] of Object.entries(c.readers)) lines.push(`| reading the points file alone: ${name} | | ${fmt(r.rowsPerCpuSecond)} rows |`);
    lines.push('');
  }
  const s = results.scale;
  if (s) {
    lines.push(`scale: ${fmt(s.segments)} segments / ${fmt(s.pieces)} pieces: build ${fmt(s.buildMs)} ms, ${fmt(s.perSecond)} matches/s, ` + `RSS +${s.memory.rssDeltaMB} MB, peak RSS ${s.maxRssMB} MB` + (s.loader ? `, GeoJSON load ${fmt(s.loader.loadMs)} ms (${s.loader.fileMB} MB)` : ''));
  }
  const sc = results.score;
  if (sc) lines.push(sc.skipped ? `score: skipped (${sc.skipped})` : `score Andorra: ${fmt(sc.segments)} segments in ${fmt(sc.wallMs)} ms, peak RSS ${sc.maxRssMB} MB`);
  lines.push('', `full reports: ${path.relative(u.REPO_ROOT, file)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
