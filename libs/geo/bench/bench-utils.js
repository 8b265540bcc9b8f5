'use strict';
/**
 * Shared helpers for the geo benchmarks: seeded randomness, medians, machine facts and the
 * location of the Andorra data (outside the repository, ../shared/data/andorra from its root).
 */
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { readFileSync, existsSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const DATA_DIR = process.env.ROADLOOP_DATA_DIR || path.resolve(REPO_ROOT, '../shared/data/andorra');
// ROADLOOP_GEO_DIST: another build of the engine (to compare a change against the code before it).
const DIST = process.env.ROADLOOP_GEO_DIST ? path.resolve(process.env.ROADLOOP_GEO_DIST) : path.resolve(__dirname, '../dist');

/** Road bounding box of the Andorra extract (data README). */
const ANDORRA_ROAD_BOX = { minLon: 1.419351, minLat: 42.41714, maxLon: 1.7338324, maxLat: 42.6340018 };

/** mulberry32: a small, fast seeded PRNG (uniform in [0, 1)). */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function requireDist(rel) {
  const file = path.join(DIST, rel);
  if (!existsSync(`${file}.js`)) throw new Error(`${file}.js not found: build first (npx tsc -b libs/geo)`);
  return require(file);
}

function machine() {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0].model;
  let nproc = String(os.availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    /* nproc missing: keep Node's count */
  }
  return { nproc, node: process.version, cpu: cpu.trim(), memGiB: (os.totalmem() / 2 ** 30).toFixed(1) };
}

/** The reference road pieces: 22,300 straight pieces of at most 100 m with way id and index. */
function readReferencePieces() {
  const file = path.join(DATA_DIR, 'reference/water-distance-postgis.csv');
  const [, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [wayId, index, sLon, sLat, eLon, eLat] = row.split(',');
    return { id: `${wayId}:${index}`, coordinates: [[+sLon, +sLat], [+eLon, +eLat]] };
  });
}

/**
 * Query points: `nearFraction` of them within `nearM` metres of a random piece of a random
 * segment (uniform in a disc), the rest uniform in `box` (mostly far from any road).
 */
function queryPoints(packed, count, seed, { nearFraction, nearM, box }) {
  const random = seededRandom(seed);
  const { metricScale } = requireDist('geometry/ruler');
  const out = new Array(count);
  const segments = packed.ids.length;
  for (let i = 0; i < count; i++) {
    if (random() >= nearFraction) {
      out[i] = [box.minLon + random() * (box.maxLon - box.minLon), box.minLat + random() * (box.maxLat - box.minLat)];
      continue;
    }
    const s = Math.floor(random() * segments);
    const first = packed.vertexStart[s];
    const pieces = packed.vertexStart[s + 1] - first - 1;
    const v = first + Math.floor(random() * pieces);
    const c = packed.coords;
    const t = random();
    const lon = c[2 * v] + t * (c[2 * v + 2] - c[2 * v]);
    const lat = c[2 * v + 1] + t * (c[2 * v + 3] - c[2 * v + 1]);
    const { kx, ky } = metricScale(lat);
    const r = nearM * Math.sqrt(random());
    const a = 2 * Math.PI * random();
    out[i] = [lon + (r * Math.cos(a)) / kx, lat + (r * Math.sin(a)) / ky];
  }
  return out;
}

const mb = (bytes) => Math.round(bytes / 2 ** 20);

/**
 * A benchmark's command line, read with node:util parseArgs: `numbers` maps each numeric flag to
 * its default, `strings` each text flag to its default, `flags` lists the switches. An unknown
 * flag, a flag without its value or a number that is not positive stops the script with status 2,
 * naming the flag.
 */
function benchOptions({ numbers = {}, strings = {}, flags = [] }, args = process.argv.slice(2)) {
  const options = {};
  for (const name of [...Object.keys(numbers), ...Object.keys(strings)]) options[name] = { type: 'string' };
  for (const name of flags) options[name] = { type: 'boolean', default: false };
  const fail = (message) => {
    process.stderr.write(`${path.basename(process.argv[1])}: ${message}\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ args, options }));
  } catch (err) {
    fail(err.message.split('\n')[0]);
  }
  const out = { ...strings, ...values };
  for (const [name, fallback] of Object.entries(numbers)) {
    const n = values[name] === undefined ? fallback : Number(values[name]);
    if (!(n > 0 && Number.isFinite(n))) fail(`--${name} must be a positive number, got "${values[name]}"`);
    out[name] = n;
  }
  return out;
}

module.exports = { benchOptions, REPO_ROOT, DATA_DIR, DIST, ANDORRA_ROAD_BOX, seededRandom, median, requireDist, machine, readReferencePieces, queryPoints, mb };
