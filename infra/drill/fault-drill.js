#!/usr/bin/env node
/**
 * `npm run drill`: the fault drill. Starts a stack of its own — a Kafka broker, a PostgreSQL cluster
 * (initdb) and a redis-server on free ports with state under .roadloop/drill, RISK_INSTANCES risk and
 * TASK_INSTANCES task services (2 each) and a gateway — imports a road network, streams REPORTS hazard
 * reports (20,000) at RATE per second through the gateway (50: about what the pipeline records on a
 * small machine, so that the stream spans every fault), and when 10, 30, 50 and 70 % of it are sent:
 *   1. kills (SIGKILL) one risk and one task instance, and starts them again;
 *   2. stops the broker for DOWN_S seconds and starts it again;
 *   3. restarts PostgreSQL (down for DOWN_S seconds);
 *   4. stops Redis for DOWN_S seconds and starts it again (with its saved data).
 * Then it waits for every consumer group to drain and prints the counts (sent, accepted, 503s,
 * recorded, lost, duplicates, tasks, duplicate tasks, dead letters) and the recovery time of each
 * fault. Environment: REPORTS (20000), RATE (50 reports/s), CONCURRENCY (16), DOWN_S (10),
 * RISK_INSTANCES / TASK_INSTANCES (2), DRILL_NETWORK (andorra when the extract is there, else sample),
 * DRILL_JSON (a file for the raw numbers), DRILL_KEEP=1 (leave the state directory).
 * Exit status 1 when a report was lost or applied twice, or a task was opened twice.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');
const os = require('node:os');
const { Client } = require('pg');
const { Redis } = require('ioredis');
const { Kafka, logLevel } = require('kafkajs');

// Its settings are environment variables; any argument is a mistake, and --help says so at once
// (the drill itself runs for minutes).
const argv = process.argv.slice(2);
if (argv.length) {
  const help = argv.every((a) => a === '--help' || a === '-h');
  const usage = require('node:fs').readFileSync(__filename, 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, '');
  (help ? process.stdout : process.stderr).write(help ? usage : `drill: takes no arguments (got ${argv.join(' ')}); its settings are environment variables:\n${usage}`);
  process.exit(help ? 0 : 2);
}

const ROOT = resolve(__dirname, '..', '..');
const env = process.env;
const REPORTS = Number(env.REPORTS ?? 20_000);
const RATE = Number(env.RATE ?? 50);
const CONCURRENCY = Number(env.CONCURRENCY ?? 16);
const DOWN_MS = Number(env.DOWN_S ?? 10) * 1000;
const RISK_INSTANCES = Number(env.RISK_INSTANCES ?? 2);
const TASK_INSTANCES = Number(env.TASK_INSTANCES ?? 2);
const DATA_DIR = env.ROADLOOP_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data', 'andorra');
const OSM = env.ROADLOOP_OSM ?? join(DATA_DIR, 'andorra.osm.pbf');
const DEM = env.ROADLOOP_DEM ?? join(DATA_DIR, 'N42E001.hgt');
const NETWORK = env.DRILL_NETWORK ?? (existsSync(OSM) ? 'andorra' : 'sample');
const STATE = join(ROOT, '.roadloop', 'drill');
const ID = `drill${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const SCHEMAS = { risk: 'risk', task: 'task' };
const JWT_SECRET = randomBytes(32).toString('hex');

const log = (line) => console.log(`drill: ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

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

function run(command, args, extraEnv = {}) {
  const result = spawnSync(command, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Like `run`, without blocking the event loop: the stream and its timings go on while a server stops or starts. */
function runAsync(command, args, extraEnv = {}) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(output) : fail(new Error(`${command} ${args.join(' ')} failed: ${output}`))));
  });
}

async function waitUntil(what, probe, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err.fatal) throw err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The broker, PostgreSQL and Redis of the drill. */
class Servers {
  async init() {
    rmSync(STATE, { recursive: true, force: true });
    mkdirSync(STATE, { recursive: true });
    this.kafkaPort = await freePort();
    this.kafkaEnv = { KAFKA_PORT: String(this.kafkaPort), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HOME_DIR: join(STATE, 'kafka'), KAFKA_HEAP: '384m' };
    this.pgPort = await freePort();
    this.pgDir = join(STATE, 'pg');
    mkdirSync(this.pgDir);
    this.asRoot = os.userInfo().uid === 0;
    if (this.asRoot) chownSync(this.pgDir, Number(run('id', ['-u', 'postgres'])), Number(run('id', ['-g', 'postgres'])));
    this.pg('initdb', ['-D', join(this.pgDir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.redisPort = await freePort();
    this.redisDir = join(STATE, 'redis');
    mkdirSync(this.redisDir);
  }

  get brokers() {
    return `127.0.0.1:${this.kafkaPort}`;
  }
  get databaseUrl() {
    return `postgres://postgres@127.0.0.1:${this.pgPort}/roadloop`;
  }
  get redisUrl() {
    return `redis://127.0.0.1:${this.redisPort}`;
  }

  pg(tool, args, runner = run) {
    const root = '/usr/lib/postgresql';
    const bin = env.PG_BINDIR ?? join(root, readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a)[0], 'bin');
    return this.asRoot ? runner('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : runner(join(bin, tool), args);
  }

  brokerStart() {
    return runAsync('bash', [join(ROOT, 'infra/kafka/kafka.sh'), 'start'], this.kafkaEnv);
  }
  brokerStop(runner = runAsync) {
    return runner('bash', [join(ROOT, 'infra/kafka/kafka.sh'), 'stop'], this.kafkaEnv);
  }

  async postgresStart() {
    const options = `-p ${this.pgPort} -k ${this.pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    await this.pg('pg_ctl', ['-D', join(this.pgDir, 'data'), '-l', join(this.pgDir, 'server.log'), '-o', options, '-w', 'start'], runAsync);
    const admin = new Client({ connectionString: this.databaseUrl.replace(/\/roadloop$/, '/postgres') });
    await admin.connect();
    if (!(await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'roadloop'`)).rowCount) await admin.query('CREATE DATABASE roadloop');
    await admin.end();
  }
  postgresStop(runner = runAsync) {
    return this.pg('pg_ctl', ['-D', join(this.pgDir, 'data'), '-m', 'fast', '-w', 'stop'], runner);
  }

  redisStart() {
    return runAsync('redis-server', ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--dir', this.redisDir, '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(this.redisDir, 'redis.pid'), '--logfile', join(this.redisDir, 'redis.log')]);
  }
  redisStop(runner = runAsync) {
    return runner('redis-cli', ['-p', String(this.redisPort), 'shutdown', 'save']).catch(() => undefined);
  }

  stopAll() {
    if (!this.kafkaEnv) return;
    const quiet = (...a) => {
      try {
        return run(...a);
      } catch {
        return '';
      }
    };
    for (const stop of [() => this.brokerStop(quiet), () => this.postgresStop(quiet), () => quiet('redis-cli', ['-p', String(this.redisPort), 'shutdown', 'nosave'])]) {
      try {
        stop();
      } catch {
        // already stopped
      }
    }
  }
}

/** A service process of the drill (`services/<name>/dist/main.js`), logging to .roadloop/drill/<name>-<port>.log. */
class Service {
  constructor(name, port, serviceEnv) {
    Object.assign(this, { name, port, serviceEnv, url: `http://127.0.0.1:${port}` });
  }
  start() {
    const out = createWriteStream(join(STATE, `${this.name}-${this.port}.log`), { flags: 'a' });
    this.child = spawn(process.execPath, [join(ROOT, 'services', this.name, 'dist', 'main.js')], {
      env: { ...env, NODE_ENV: 'production', ...this.serviceEnv, HTTP_PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.pipe(out);
    this.child.stderr.pipe(out);
    return this;
  }
  async ready(timeoutMs = 300_000) {
    let last = 'no answer';
    await waitUntil(`${this.name} on ${this.port} to be ready`, async () => {
      if (this.child.exitCode !== null) throw Object.assign(new Error(`${this.name} exited with code ${this.child.exitCode}; see ${STATE}/${this.name}-${this.port}.log`), { fatal: true });
      const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
      last = `${res.status} ${await res.text()}`;
      return res.ok;
    }, timeoutMs, 500).catch((err) => {
      throw new Error(`${err.message} (last answer: ${last.slice(0, 500)})`);
    });
  }
  kill(signal = 'SIGKILL') {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Everything the drill started, stopped on the way out, also on Ctrl-C. */
let cleanUp = () => undefined;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`drill: ${signal}: stopping what the drill started`);
    cleanUp();
    process.exit(130);
  });
}

async function main() {
  const servers = new Servers();
  const services = [];
  cleanUp = () => {
    for (const s of services) s.kill('SIGKILL');
    servers.stopAll();
    if (env.DRILL_KEEP !== '1') rmSync(STATE, { recursive: true, force: true });
  };
  const startedAt = Date.now();
  const result = { reports: REPORTS, rate: RATE, network: NETWORK, instances: { risk: RISK_INSTANCES, task: TASK_INSTANCES }, machine: `${os.cpus().length} CPU, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`, faults: {} };
  try {
    await servers.init();
    await servers.brokerStart();
    await servers.postgresStart();
    await servers.redisStart();
    const common = {
      KAFKA_BROKERS: servers.brokers,
      KAFKA_TOPIC_PREFIX: ID,
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_CONNECT_RETRY_MAX_MS: '2000',
      DATABASE_URL: servers.databaseUrl,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${ID}:`,
      JWT_SECRET,
      HAZARD_RATE_LIMIT: '10000000',
      LOG_LEVEL: 'warn',
    };
    const riskEnv = { ...common, DB_SCHEMA: SCHEMAS.risk };
    const taskEnv = { ...common, DB_SCHEMA: SCHEMAS.task };
    const t0 = Date.now();
    const importArgs = NETWORK === 'andorra' ? ['import', '--osm', OSM, ...(existsSync(DEM) ? ['--dem', DEM] : [])] : ['import', '--geojson', join(ROOT, 'services/risk-service/fixtures/sample-segments.geojson')];
    run(process.execPath, [join(ROOT, 'services/risk-service/dist/cli.js'), ...importArgs], riskEnv);
    log(`imported the ${NETWORK} network in ${seconds(Date.now() - t0)}`);

    const risks = [];
    const tasks = [];
    for (let i = 0; i < RISK_INSTANCES; i++) risks.push(new Service('risk-service', await freePort(), riskEnv).start());
    for (let i = 0; i < TASK_INSTANCES; i++) tasks.push(new Service('task-service', await freePort(), taskEnv).start());
    services.push(...risks, ...tasks);
    await Promise.all([...risks, ...tasks].map((s) => s.ready()));
    const gateway = new Service('ingest-gateway', await freePort(), { ...common, RISK_SERVICE_URL: risks.map((s) => s.url).join(','), TASK_SERVICE_URL: tasks.map((s) => s.url).join(',') }).start();
    services.push(gateway);
    await gateway.ready();
    log(`stack ready: ${RISK_INSTANCES} risk, ${TASK_INSTANCES} task instances, gateway ${gateway.url}`);

    const dbQuery = async (sql, params) => {
      // The drill's own connection survives the PostgreSQL restart by reconnecting.
      const c = new Client({ connectionString: servers.databaseUrl });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    };
    const points = (await dbQuery(`SELECT ST_X(p) lon, ST_Y(p) lat FROM (SELECT ST_LineInterpolatePoint(geom, 0.5) p FROM "${SCHEMAS.risk}".road_segment ORDER BY md5(id) LIMIT 300) s`)).map((r) => [Number(r.lon), Number(r.lat)]);
    const recorded = async () => Number((await dbQuery(`SELECT count(*) n FROM "${SCHEMAS.risk}".hazard`))[0].n);

    // The stream: REPORTS reports at RATE per second, CONCURRENCY in flight.
    const tally = { sent: 0, accepted: [], unavailable: 0, unavailableWithRetryAfter: 0, slowestUnavailableMs: 0, other: {}, lastAcceptedAt: 0 };
    const categories = ['pothole', 'debris', 'ice', 'rockfall', 'other'];
    const severities = ['low', 'medium', 'high', 'critical'];
    const streamStarted = Date.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < REPORTS; i = next++) {
        const due = streamStarted + (i * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        const [lon, lat] = points[i % points.length];
        const started = Date.now();
        tally.sent++;
        try {
          const res = await fetch(`${gateway.url}/v1/hazards`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ category: categories[i % 5], severity: severities[i % 4], lon: lon + ((i % 7) - 3) * 0.00003, lat }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = await res.json().catch(() => ({}));
          if (res.status === 202) {
            tally.accepted.push(body.hazardId);
            tally.lastAcceptedAt = Date.now();
          } else if (res.status === 503) {
            tally.unavailable++;
            if (Number(res.headers.get('retry-after')) > 0) tally.unavailableWithRetryAfter++;
            tally.slowestUnavailableMs = Math.max(tally.slowestUnavailableMs, Date.now() - started);
          } else tally.other[res.status] = (tally.other[res.status] ?? 0) + 1;
        } catch {
          tally.other.noAnswer = (tally.other.noAnswer ?? 0) + 1;
        }
      }
    };
    const stream = Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const kafka = new Kafka({ clientId: `${ID}-drill`, brokers: [servers.brokers], logLevel: logLevel.NOTHING });
    const topic = (name) => `${ID}.${name}`;
    const groups = [
      [`${ID}.risk-service.intake`, topic('roadloop.hazard.reported.v1')],
      [`${ID}.risk-service.segments`, topic('roadloop.segment.report-matched.v1')],
      [`${ID}.task-service`, topic('roadloop.segment.risk-changed.v2')],
      [`${ID}.task-service`, topic('roadloop.segment.report-matched.v1')],
    ];
    const lag = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        let total = 0;
        for (const [groupId, t] of groups) {
          const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(t), admin.fetchOffsets({ groupId, topics: [t] })]);
          const done = new Map(committed[0].partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
          for (const e of ends) total += Number(e.high) - (done.get(e.partition) ?? 0);
        }
        return total;
      } finally {
        await admin.disconnect();
      }
    };
    /** Waits until the recorded count has grown by `n` (the pipeline writes again); the time it took. */
    const progressAfter = async (from, n = 20, timeoutMs = 600_000) => {
      const base = await recorded().catch(() => 0);
      await waitUntil('the pipeline to record again', async () => (await recorded()) >= base + n || (await recorded()) >= tally.accepted.length, timeoutMs, 250);
      return Date.now() - from;
    };
    const atFraction = (f) => waitUntil(`${Math.round(f * 100)}% of the stream sent`, () => tally.sent >= f * REPORTS, 3_600_000, 250);

    // 1. One risk and one task instance killed.
    await atFraction(0.1);
    let t = Date.now();
    risks[0].kill();
    tasks[0].kill();
    log(`killed ${risks[0].name} on ${risks[0].port} and ${tasks[0].name} on ${tasks[0].port} (SIGKILL)`);
    const killProgressMs = await progressAfter(t);
    // The survivors own every partition once the group is stable again without the killed members.
    const admin = kafka.admin();
    await admin.connect();
    const rebalanceMs = await waitUntil('the groups to settle on the survivors', async () => {
      const { groups: described } = await admin.describeGroups([`${ID}.risk-service.intake`, `${ID}.task-service`]);
      return described.every((g) => g.state === 'Stable' && g.members.length === (g.groupId.endsWith('intake') ? RISK_INSTANCES - 1 : TASK_INSTANCES - 1)) ? Date.now() - t : undefined;
    }, 300_000, 500);
    await admin.disconnect();
    risks[0].start();
    tasks[0].start();
    await Promise.all([risks[0].ready(), tasks[0].ready()]);
    result.faults.instanceKill = { recordingAgainAfterMs: killProgressMs, survivorsOwnAllPartitionsAfterMs: rebalanceMs, restartedReadyAfterMs: Date.now() - t };
    log(`instance kill: recording again after ${seconds(killProgressMs)}, survivors own every partition after ${seconds(rebalanceMs)}, killed instances back after ${seconds(Date.now() - t)}`);

    // 2. The broker stopped and started.
    await atFraction(0.3);
    const before503 = tally.unavailable;
    t = Date.now();
    await servers.brokerStop();
    log(`broker stopped (${seconds(Date.now() - t)})`);
    await sleep(DOWN_MS);
    const brokerBack = Date.now();
    await servers.brokerStart();
    const startedMs = Date.now() - brokerBack;
    const acceptedBefore = tally.accepted.length;
    const acceptingMs = await waitUntil('the gateway to accept again', () => (tally.accepted.length > acceptedBefore || tally.sent >= REPORTS ? Date.now() - brokerBack : undefined), 600_000, 100);
    const brokerProgressMs = await progressAfter(brokerBack);
    result.faults.brokerRestart = { downMs: brokerBack - t, answered503: tally.unavailable - before503, slowest503Ms: tally.slowestUnavailableMs, brokerStartMs: startedMs, acceptingAgainAfterMs: acceptingMs, recordingAgainAfterMs: brokerProgressMs };
    log(`broker: ${tally.unavailable - before503} reports answered 503 (slowest ${tally.slowestUnavailableMs} ms) while it was away; accepting again ${seconds(acceptingMs)} and recording again ${seconds(brokerProgressMs)} after its restart began`);

    // 3. PostgreSQL restarted.
    await atFraction(0.5);
    t = Date.now();
    await servers.postgresStop();
    await sleep(DOWN_MS);
    const pgBack = Date.now();
    await servers.postgresStart();
    const pgProgressMs = await progressAfter(pgBack);
    result.faults.postgresRestart = { downMs: pgBack - t, recordingAgainAfterMs: pgProgressMs };
    log(`PostgreSQL: down ${seconds(pgBack - t)}, recording again ${seconds(pgProgressMs)} after it was back`);

    // 4. Redis stopped and started with its saved data.
    await atFraction(0.7);
    t = Date.now();
    await servers.redisStop();
    const acceptedAtRedisStop = tally.accepted.length;
    const recordedAtRedisStop = await recorded();
    await sleep(DOWN_MS);
    const recordedWithoutRedis = (await recorded()) - recordedAtRedisStop;
    const redisBack = Date.now();
    await servers.redisStart();
    const redis = new Redis(servers.redisUrl, { keyPrefix: `${ID}:`, maxRetriesPerRequest: 1 });
    const rebuiltMs = await waitUntil('the ranking to be rebuilt', async () => {
      const ready = await redis.get('risk:ranking:ready');
      return ready && Date.parse(ready) >= redisBack ? Date.now() - redisBack : undefined;
    }, 120_000, 250).catch(() => null);
    result.faults.redisOutage = { downMs: redisBack - t, acceptedWhileDown: tally.accepted.length - acceptedAtRedisStop, recordedWhileDown: recordedWithoutRedis, rankingRebuiltAfterMs: rebuiltMs };
    log(
      `Redis: down ${seconds(redisBack - t)}, ${recordedWithoutRedis} reports recorded meanwhile, ` +
        (rebuiltMs === null
          ? 'ranking not rebuilt within 120 s of its return (no write was skipped, or the rebuild is late: the check against PostgreSQL at the end says which)'
          : `ranking rebuilt ${seconds(rebuiltMs)} after it was back`),
    );

    await stream;
    const streamMs = Date.now() - streamStarted;
    log(`stream done: ${tally.sent} sent in ${seconds(streamMs)}; waiting for the consumers to drain`);
    const drainStarted = Date.now();
    await waitUntil('every consumer group to drain', async () => (await lag()) === 0, 3_600_000, 2_000);
    const drainMs = Date.now() - drainStarted;

    const [counts] = await dbQuery(
      `SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct,
              (SELECT count(*)::int FROM unnest($1::uuid[]) a(id) WHERE NOT EXISTS (SELECT 1 FROM "${SCHEMAS.risk}".hazard h WHERE h.id = a.id)) AS lost,
              count(*) FILTER (WHERE NOT (id = ANY($1::uuid[])))::int AS unexpected,
              count(*) FILTER (WHERE assessed_at IS NULL AND segment_id IS NOT NULL)::int AS unassessed
         FROM "${SCHEMAS.risk}".hazard`,
      [tally.accepted],
    );
    const [taskRow] = await dbQuery(`SELECT count(*)::int AS tasks FROM "${SCHEMAS.task}".task`);
    // No task is closed during the drill, so a second task for a segment and countermeasure is a duplicate.
    const [openDup] = await dbQuery(`SELECT count(*)::int AS n FROM (SELECT segment_id, countermeasure FROM "${SCHEMAS.task}".task GROUP BY 1, 2 HAVING count(*) > 1) d`);
    const deadAdmin = kafka.admin();
    await deadAdmin.connect();
    const deadLetters = (await deadAdmin.fetchTopicOffsets(topic('roadloop.deadletter.v1'))).reduce((n, p) => n + Number(p.high), 0);
    const onTopic = (await deadAdmin.fetchTopicOffsets(topic('roadloop.hazard.reported.v1'))).reduce((n, p) => n + Number(p.high), 0);
    await deadAdmin.disconnect();
    const rankingGap = await (async () => {
      const redis = new Redis(servers.redisUrl, { keyPrefix: `${ID}:`, maxRetriesPerRequest: 1 });
      const flat = await redis.zrange('risk:ranking', '0', '-1', 'WITHSCORES');
      redis.disconnect();
      const ranked = new Map();
      for (let i = 0; i < flat.length; i += 2) ranked.set(flat[i], Number(flat[i + 1]));
      const rows = await dbQuery(`SELECT segment_id, score FROM "${SCHEMAS.risk}".segment_risk`);
      return rows.filter((r) => !(Math.abs((ranked.get(r.segment_id) ?? NaN) - Number(r.score)) <= 1e-9)).length;
    })();
    Object.assign(result, {
      sent: tally.sent,
      accepted: tally.accepted.length,
      answered503: tally.unavailable,
      answered503WithRetryAfter: tally.unavailableWithRetryAfter,
      otherAnswers: tally.other,
      onTopic,
      recorded: counts.rows,
      lost: counts.lost,
      duplicates: counts.rows - counts.distinct,
      recordedNotAccepted: counts.unexpected,
      unassessed: counts.unassessed,
      tasks: taskRow.tasks,
      duplicateTasks: openDup.n,
      deadLetters,
      rankingSegmentsOutOfStep: rankingGap,
      streamMs,
      drainAfterStreamMs: drainMs,
      totalMs: Date.now() - startedAt,
    });
    console.log('\nfault drill');
    console.log(`  reports       sent ${result.sent}, accepted ${result.accepted} (202), 503 ${result.answered503} (${result.answered503WithRetryAfter} with Retry-After), other ${JSON.stringify(result.otherAnswers)}`);
    console.log(`  pipeline      on the topic ${onTopic}, recorded ${result.recorded}, lost ${result.lost}, duplicates ${result.duplicates}, recorded but not accepted ${result.recordedNotAccepted}, unassessed ${result.unassessed}`);
    console.log(`  tasks         ${result.tasks}, opened twice ${result.duplicateTasks}; dead letters ${deadLetters}; ranking segments out of step with PostgreSQL ${rankingGap}`);
    console.log(`  timing        stream ${seconds(streamMs)} (${(result.accepted / (streamMs / 1000)).toFixed(0)} accepted/s), drained ${seconds(drainMs)} after it; machine ${result.machine}`);
    if (env.DRILL_JSON) writeFileSync(env.DRILL_JSON, JSON.stringify(result, null, 2));
    redis.disconnect();
    const failed = result.lost || result.duplicates || result.recordedNotAccepted || result.duplicateTasks || result.onTopic !== result.accepted;
    process.exitCode = failed ? 1 : 0;
  } finally {
    for (const s of services) s.kill('SIGTERM');
    await sleep(2_000);
    cleanUp();
  }
}

main().catch((err) => {
  console.error(`drill: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
