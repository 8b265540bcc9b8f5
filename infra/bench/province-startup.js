#!/usr/bin/env node
/**
 * The risk service's matcher start-up against a real `road_segment` table of province size.
 *
 * Makes a scratch schema with the risk service's migrations, fills `road_segment` with the
 * synthetic network (libs/geo/bench/generate-synthetic-network.js, seed 42) through multi-row
 * INSERTs of WKB (`ST_GeomFromWKB`; the other columns get plausible constants), then runs the
 * service's own matcher build (`buildSegmentMatcher` over `SegmentRepository`, as the matcher holder
 * does at start-up) in a fresh Node process, and reports its wall and CPU time, its RSS after the
 * build and its peak RSS (`process.resourceUsage().maxRSS`). With --rebuild that process then builds
 * a second matcher while holding the first, as a refresh after a re-import does. With --service it
 * then starts the risk service itself (`services/risk-service/dist/main.js`, with topics, consumer
 * groups and Redis keys of its own, removed after) against the schema, waits until it is ready and
 * has run for --settle seconds, and reports its RSS and peak RSS (`VmRSS`, `VmHWM`): the whole
 * instance, NestJS, Kafka and Redis clients included.
 *
 * The fill is a bulk load for the benchmark, not the import command (which scores a region and
 * upserts its segments with their attributes). The two GiST indexes of `road_segment` are dropped
 * before the fill (the matcher's read does not use them; built at 5 M they would dominate the fill).
 * The schema is dropped at the end, also after a failure or Ctrl-C.
 *
 *   node infra/bench/province-startup.js [--segments 1000000] [--batch 20000] [--rebuild]
 *
 * Needs a build (`npm run build`). Prints progress on stderr and a JSON report on stdout.
 */
'use strict';
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const os = require('node:os');
const { Client } = require('pg');

const ROOT = resolve(__dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';
const log = (text) => process.stderr.write(`${text}\n`);
const mb = (bytes) => Math.round(bytes / 2 ** 20);

const { values: args } = parseArgs({
  options: {
    segments: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '20000' },
    rebuild: { type: 'boolean', default: false },
    service: { type: 'boolean', default: false },
    settle: { type: 'string', default: '20' },
    // Internal: the measuring child process.
    child: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function positiveInt(name) {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(args[name])}`);
  return n;
}

const dist = (rel) => require(join(ROOT, rel));

/** A segment's line as little-endian WKB (ST_GeomFromWKB reads it; the SRID is set in SQL). */
function lineWkb(coords, from, to) {
  const out = Buffer.allocUnsafe(9 + 16 * (to - from));
  out.writeUInt8(1, 0);
  out.writeUInt32LE(2, 1);
  out.writeUInt32LE(to - from, 5);
  for (let v = from, o = 9; v < to; v++, o += 16) {
    out.writeDoubleLE(coords[2 * v], o);
    out.writeDoubleLE(coords[2 * v + 1], o + 8);
  }
  return out;
}

/** Fills road_segment with the synthetic network, `batch` rows per INSERT. */
async function fill(db, segments, batch) {
  const { generateSyntheticNetwork } = require(join(ROOT, 'libs/geo/bench/generate-synthetic-network'));
  let t = performance.now();
  const packed = generateSyntheticNetwork({ segments, seed: 42 });
  const generateMs = Math.round(performance.now() - t);
  log(`generated ${segments} segments in ${generateMs} ms`);
  t = performance.now();
  for (let start = 0; start < segments; start += batch) {
    const end = Math.min(segments, start + batch);
    const ids = [];
    const ways = [];
    const pieces = [];
    const lines = [];
    for (let s = start; s < end; s++) {
      ids.push(packed.ids[s]);
      // 20 segments a road in the generator: way = road, piece = position on it.
      ways.push(Math.floor(s / 20) + 1);
      pieces.push(s % 20);
      lines.push(lineWkb(packed.coords, packed.vertexStart[s], packed.vertexStart[s + 1]));
    }
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes, exposure_score, exposure_level, profile_published)
       SELECT x.id, x.way, x.piece, 'tertiary', NULL, 60, ST_GeomFromWKB(x.wkb, 4326),
              '{"waterSide":null,"cliffSide":null,"tunnel":false}'::jsonb, 12, 'medium', true
         FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bytea[]) AS x(id, way, piece, wkb)`,
      [ids, ways, pieces, lines],
    );
    if ((end / batch) % 25 === 0 || end === segments) log(`  ${end} rows, ${Math.round((performance.now() - t) / 1000)} s`);
  }
  const insertMs = Math.round(performance.now() - t);
  t = performance.now();
  await db.query('ANALYZE road_segment');
  const analyzeMs = Math.round(performance.now() - t);
  const [{ bytes }] = await db.query(`SELECT pg_total_relation_size('road_segment') AS bytes`);
  return { generateMs, insertMs, analyzeMs, tableMB: mb(Number(bytes)), rowsPerS: Math.round(segments / (insertMs / 1000)) };
}

/** One matcher build, timed: wall, CPU, RSS after it (after a GC) and the process's peak so far. */
async function timedBuild(build) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const matcher = await build();
  const used = process.cpuUsage(cpu);
  const wallMs = Math.round(performance.now() - t);
  // Array buffers found dead by a GC are freed by a sweeper that may finish later: let it.
  global.gc();
  await new Promise((done) => setTimeout(done, 1_000));
  global.gc();
  const m = process.memoryUsage();
  return {
    matcher,
    report: {
      wallMs,
      cpuMs: Math.round((used.user + used.system) / 1000),
      rssAfterMB: mb(m.rss),
      heapUsedMB: mb(m.heapUsed),
      arrayBuffersMB: mb(m.arrayBuffers),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
  };
}

/** The measuring process: the service's matcher build against the filled schema. */
async function child(schema) {
  if (typeof global.gc !== 'function') throw new Error('the measuring process needs --expose-gc');
  const { openDatabase } = dist('libs/persistence/dist');
  const { buildSegmentMatcher, MATCHER_BATCH_ROWS } = dist('services/risk-service/dist/segments/segment-matcher.holder');
  const { SegmentRepository } = dist('services/risk-service/dist/segments/segment.repository');
  const db = await openDatabase({ url: DATABASE_URL, schema, entities: [], migrations: [], poolSize: 2 }, false);
  try {
    const repo = new SegmentRepository(db);
    global.gc();
    const before = { rssMB: mb(process.memoryUsage().rss), heapUsedMB: mb(process.memoryUsage().heapUsed) };
    const first = await timedBuild(() => buildSegmentMatcher(repo));
    const result = { batchRows: MATCHER_BATCH_ROWS, before, build: first.report, segments: first.matcher.segmentCount, pieces: first.matcher.pieceCount };
    log(`build: ${JSON.stringify(first.report)}`);
    if (args.rebuild) {
      // A refresh: the new matcher is built while the old one still answers.
      const second = await timedBuild(() => buildSegmentMatcher(repo));
      result.rebuildHoldingFirst = second.report;
      log(`rebuild while holding the first: ${JSON.stringify(second.report)}`);
      if (second.matcher.segmentCount !== first.matcher.segmentCount) throw new Error('the rebuild read another number of segments');
    }
    process.send(result);
  } finally {
    await db.destroy();
  }
}

function measure(schema) {
  return new Promise((resolveRun, reject) => {
    let result;
    const proc = fork(__filename, ['--child', schema, ...(args.rebuild ? ['--rebuild'] : [])], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    proc.on('message', (m) => (result = m));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 && result ? resolveRun(result) : reject(new Error(`the measuring process exited with ${code}`))));
  });
}

/** A port nothing listens on now. */
function freePort() {
  return new Promise((done, reject) => {
    const server = require('node:net').createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** A process's resident and peak resident memory, from /proc (Linux), MB. */
function residentMB(pid) {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakRssMB: Math.round(kb('VmHWM') / 1024) };
}

/**
 * The risk service itself against the filled schema: started, ready (its matcher built), left to run
 * `settleS` seconds (consumers joined, relays and timers running), measured, stopped. Its topics and
 * Redis keys are removed after.
 */
async function measureService(schema, settleS) {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL,
    DB_SCHEMA: schema,
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: schema,
    KAFKA_GROUP_ID: `${schema}-risk`,
    REDIS_URL,
    REDIS_KEY_PREFIX: `${schema}:`,
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
  };
  const started = performance.now();
  const proc = require('node:child_process').spawn(process.execPath, [join(ROOT, 'services/risk-service/dist/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((done) => proc.once('exit', done));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`the risk service exited with ${proc.exitCode} before it was ready`);
      if (performance.now() - started > 900_000) throw new Error('the risk service was not ready within 900 s');
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    const readyMs = Math.round(performance.now() - started);
    const atReady = residentMB(proc.pid);
    log(`risk service ready after ${readyMs} ms: ${JSON.stringify(atReady)}`);
    await new Promise((done) => setTimeout(done, settleS * 1000));
    const settled = residentMB(proc.pid);
    log(`after ${settleS} s more: ${JSON.stringify(settled)}`);
    return { readyMs, atReady, settleS, settled };
  } finally {
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await removeServiceTraces(schema);
  }
}

/** The topics and Redis keys the measured service made, named by the schema. */
async function removeServiceTraces(prefix) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ clientId: 'province-startup', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main() {
  if (args.help) {
    log('node infra/bench/province-startup.js [--segments 1000000] [--batch 20000] [--rebuild] [--service [--settle 20]]');
    return;
  }
  if (args.child) return child(args.child);
  const segments = positiveInt('segments');
  const batch = positiveInt('batch');
  const { openDatabase } = dist('libs/persistence/dist');
  const { RISK_MIGRATIONS } = dist('services/risk-service/dist/migrations');
  const schema = `prov${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const report = {
    machine: { cpus: `${os.cpus().length} × ${os.cpus()[0].model}`, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version },
    loadAtStart: os.loadavg().map((x) => +x.toFixed(2)),
    segments,
    schema,
  };
  log(`schema ${schema}, ${segments} segments, load ${report.loadAtStart.join(' ')}`);
  let db;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await db?.destroy();
    // On a connection of its own: the data source may have failed while migrating.
    const admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
    log(`schema ${schema} dropped`);
  };
  process.once('SIGINT', () => {
    drop().finally(() => process.exit(130));
  });
  try {
    db = await openDatabase({ url: DATABASE_URL, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
    await db.query('DROP INDEX road_segment_geom_gix, road_segment_geog_gix');
    report.fill = await fill(db, segments, batch);
    report.loadBeforeBuild = os.loadavg().map((x) => +x.toFixed(2));
    log(`fill: ${JSON.stringify(report.fill)}; load ${report.loadBeforeBuild.join(' ')}`);
    report.startup = await measure(schema);
    report.loadAfterBuild = os.loadavg().map((x) => +x.toFixed(2));
    if (args.service) {
      report.service = await measureService(schema, positiveInt('settle'));
      report.loadAfterService = os.loadavg().map((x) => +x.toFixed(2));
    }
  } finally {
    await drop();
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exitCode = 1;
});
