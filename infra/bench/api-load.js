#!/usr/bin/env node
/**
 * `npm run bench:api`: the read API under concurrent load, measured with autocannon on this machine.
 *
 * It imports the sample region (OSM extract + SRTM tile) into a schema of its own, starts the risk
 * service and the gateway as built processes against the machine's PostgreSQL, Redis and Kafka,
 * and measures:
 *   - top-N (`GET /v1/segments/top?limit=20`, plain and with filters) at a fixed offered rate
 *     (default 500 requests/s), direct to the risk service and through the gateway;
 *   - a bounding-box GeoJSON query returning 5,000 segments (2.2 MB), closed loop (the rate it
 *     reaches is part of the result): the box around the whole network, direct with one client and
 *     with two and through the gateway with two; then the smallest square around the network's
 *     centre that holds 5,000 segments (a town's map view; on a large network, not the whole of
 *     it), direct with one client and through the gateway with two;
 *   - the liveness probe at the same offered rate: the floor of the HTTP stack on this machine.
 * Then it removes everything it created. Options: --duration <s> (default 20), --rate <rps> (500),
 * --json <file> to write the raw results, --geojson <file> to import another network instead (the
 * synthetic generator's `--scored` output; above FEATURE_INDEX_MAX_SEGMENTS the boxes are read from
 * PostGIS), --import-timeout <s> (default 600), --no-profiles to mark the imported segments'
 * profiles as announced before the services start (on a network of millions of segments, the risk
 * service would otherwise announce them throughout the measurement).
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:net');
const { writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const os = require('node:os');
const autocannon = require('autocannon');
const { Client } = require('pg');
const { Redis } = require('ioredis');
const { Kafka, logLevel } = require('kafkajs');
const { markProfilesAnnounced } = require('./profiles');

const ROOT = resolve(__dirname, '..', '..');
const DATA_DIR = process.env.ROADLOOP_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data', 'andorra');
const OSM = process.env.ROADLOOP_OSM ?? join(DATA_DIR, 'andorra.osm.pbf');
const DEM = process.env.ROADLOOP_DEM ?? join(DATA_DIR, 'N42E001.hgt');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    rate: { type: 'string', default: '500' },
    json: { type: 'string' },
    geojson: { type: 'string' },
    'import-timeout': { type: 'string', default: '600' },
    'no-profiles': { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(args.duration);
const IMPORT_TIMEOUT_S = Number(args['import-timeout']);
if (!Number.isInteger(IMPORT_TIMEOUT_S) || IMPORT_TIMEOUT_S < 1) {
  console.error(`bench: --import-timeout must be a whole number of seconds ≥ 1, not "${args['import-timeout']}"`);
  process.exit(2);
}
const RATE = Number(args.rate);

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function startService(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], {
    // The bench signs with the development secret, which services accept only when told they run on one machine.
    env: { ...process.env, NODE_ENV: 'development', ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // A province-sized network's matcher takes ~30 s to build before the service is ready.
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once('exit', done), child.kill('SIGTERM')))) };
}

/**
 * The smallest square (to 1 %) around the network's centre that holds at least `wanted` segments,
 * found by bisecting its half-width, as the query string will name it (corners rounded outwards to
 * 5 decimals); with the number of segments it holds as the API selects them.
 */
async function boxHolding(db, schema, extent, wanted) {
  const [cx, cy] = [(Number(extent.x0) + Number(extent.x1)) / 2, (Number(extent.y0) + Number(extent.y1)) / 2];
  const square = (h) => [Math.floor((cx - h) * 1e5) / 1e5, Math.floor((cy - h) * 1e5) / 1e5, Math.ceil((cx + h) * 1e5) / 1e5, Math.ceil((cy + h) * 1e5) / 1e5];
  const count = async (h) =>
    Number(
      (
        await db.query(
          `SELECT count(*) n FROM "${schema}".road_segment, ST_MakeEnvelope($1, $2, $3, $4, 4326) e WHERE geom && e AND ST_Intersects(geom, e)`,
          square(h),
        )
      ).rows[0].n,
    );
  let [lo, hi] = [0, Math.max(Number(extent.x1) - cx, Number(extent.y1) - cy)];
  if ((await count(hi)) < wanted) lo = hi;
  // 40 halvings reach a millionth of the width: as far as 5 decimals of a degree can tell.
  for (let round = 0; round < 40 && hi - lo > hi * 0.01; round++) {
    const mid = (lo + hi) / 2;
    if ((await count(mid)) >= wanted) hi = mid;
    else lo = mid;
  }
  return { bbox: square(hi).map((v) => v.toFixed(5)).join(','), n: await count(hi) };
}

/** Runs `work` with a PostgreSQL client, closed after it whatever happens. */
async function withDb(work) {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

function token() {
  const { signToken, DEVELOPMENT_JWT_SECRET } = require(join(ROOT, 'libs', 'auth', 'dist'));
  return signToken({ sub: 'bench', role: 'analyst', ttlS: 3600 }, { secret: DEVELOPMENT_JWT_SECRET, issuer: 'roadloop', audience: 'roadloop-api' });
}

function run(options) {
  return new Promise((done, fail) => {
    const instance = autocannon(options, (err, result) => (err ? fail(err) : done(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

function summary(name, result, offered) {
  const l = result.latency;
  return {
    name,
    offeredRps: offered ?? null,
    achievedRps: Math.round((result.requests.total / result.duration) * 10) / 10,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50ms: l.p50,
    p90ms: l.p90,
    p99ms: l.p99,
    maxMs: l.max,
    meanBytes: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
  };
}

async function main() {
  const id = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const env = {
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: id,
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: `${id}:`,
    DB_SCHEMA: `${id}_risk`,
  };
  const started = [];
  try {
    const t0 = Date.now();
    const source = args.geojson ? ['--geojson', resolve(args.geojson)] : ['--osm', OSM, '--dem', DEM];
    const imported = spawnSync(process.execPath, [join(ROOT, 'services/risk-service/dist/cli.js'), 'import', ...source], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      timeout: IMPORT_TIMEOUT_S * 1000,
    });
    if (imported.status !== 0) {
      const why = imported.error?.code === 'ETIMEDOUT' ? `not done after ${IMPORT_TIMEOUT_S} s` : (imported.error?.code ?? imported.signal ?? `exit ${imported.status}`);
      throw new Error(`import failed (${why}): ${imported.stderr}`);
    }
    console.log(`bench: imported ${source[1]} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (args['no-profiles']) {
      const t1 = Date.now();
      await withDb((db) => markProfilesAnnounced(db, env.DB_SCHEMA));
      console.log(`bench: profiles marked as announced, the table vacuumed, in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    }
    const risk = await startService('risk-service', env);
    started.push(risk);
    const gateway = await startService('ingest-gateway', { ...env, RISK_SERVICE_URL: risk.url, TASK_SERVICE_URL: risk.url });
    started.push(gateway);
    const headers = { authorization: `Bearer ${await token()}` };

    // The box around every imported segment; the query asks for 5,000 of them.
    const { box, town } = await withDb(async (db) => {
      const [extent] = (
        await db.query(`SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1, n FROM
          (SELECT ST_Extent(geom) e, count(*) n FROM "${env.DB_SCHEMA}".road_segment) s`)
      ).rows;
      return { box: extent, town: await boxHolding(db, env.DB_SCHEMA, extent, 5_000) };
    });
    const bbox = [box.x0, box.y0, box.x1, box.y1].map((v) => Number(v).toFixed(5)).join(',');
    console.log(`bench: ${box.n} segments in ${bbox}; ${town.n} in ${town.bbox} around its centre`);

    const cases = [
      // The floor: the same HTTP stack with no work behind it.
      { name: 'liveness probe, risk service', url: `${risk.url}/health/live`, rate: RATE, connections: 10 },
      { name: 'top-20, risk service', url: `${risk.url}/v1/segments/top?limit=20`, rate: RATE, connections: 10 },
      { name: 'top-20, gateway', url: `${gateway.url}/v1/segments/top?limit=20`, rate: RATE, connections: 10 },
      { name: 'top-20 water-side, risk service', url: `${risk.url}/v1/segments/top?limit=20&side=water`, rate: RATE, connections: 10 },
      { name: 'bbox 5,000 segments, risk service, one client', url: `${risk.url}/v1/segments?bbox=${bbox}&limit=5000`, connections: 1 },
      { name: 'bbox 5,000 segments, risk service', url: `${risk.url}/v1/segments?bbox=${bbox}&limit=5000`, connections: 2 },
      { name: 'bbox 5,000 segments, gateway', url: `${gateway.url}/v1/segments?bbox=${bbox}&limit=5000`, connections: 2 },
      { name: `bbox around the centre (${Math.min(town.n, 5_000)} of its ${town.n} segments), risk service, one client`, url: `${risk.url}/v1/segments?bbox=${town.bbox}&limit=5000`, connections: 1 },
      { name: `bbox around the centre (${Math.min(town.n, 5_000)} of its ${town.n} segments), gateway, two clients`, url: `${gateway.url}/v1/segments?bbox=${town.bbox}&limit=5000`, connections: 2 },
    ];
    const results = [];
    for (const c of cases) {
      // Warm-up: connection pools, JIT, the Redis ranking (rebuilt on first read).
      await run({ url: c.url, headers, connections: 2, amount: 50 });
      const result = await run({ url: c.url, headers, connections: c.connections, duration: DURATION_S, overallRate: c.rate });
      const s = summary(c.name, result, c.rate);
      const check = await fetch(c.url, { headers });
      const body = await check.json();
      s.itemsPerResponse = (body.items ?? body.features ?? []).length;
      results.push(s);
      console.log(JSON.stringify(s));
    }
    const machine = `${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
    console.log(`\nbench: ${machine}; ${DURATION_S} s per case\n`);
    console.log('| case | offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | items | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(`| ${r.name} | ${r.offeredRps ?? 'closed loop'} | ${r.achievedRps} | ${r.p50ms} | ${r.p90ms} | ${r.p99ms} | ${r.maxMs} | ${r.itemsPerResponse} | ${r.non2xx + r.errors} |`);
    }
    if (args.json) writeFileSync(args.json, JSON.stringify({ machine, durationS: DURATION_S, results }, null, 2));
  } finally {
    for (const s of started.reverse()) await s.stop();
    await withDb((db) => db.query(`DROP SCHEMA IF EXISTS "${env.DB_SCHEMA}" CASCADE`));
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    const admin = new Kafka({ clientId: 'bench-cleanup', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${id}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(`bench: ${err.stack ?? err}`);
  process.exitCode = 1;
});
