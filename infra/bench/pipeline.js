#!/usr/bin/env node
/**
 * `npm run bench:pipeline`: the event pipeline's throughput and latency, end to end, on this machine.
 *
 * It starts its own risk and task services (built processes, on free ports) against the machine's
 * PostgreSQL, Redis and Kafka, each in scratch schemas with its own topic prefix, consumer groups
 * and Redis key prefix; imports the sample region (OSM extract + SRTM tile) and waits until the
 * import's own events (segment profiles, re-scores, the stretch tasks the task service plans from
 * them) have been published and consumed by every consumer group. Then, with hazard reports produced straight onto the hazard-reported topic
 * (valid envelopes keyed by the contract's key, points within 8 m of real segments, spread over the
 * whole network, weighted categories and severities, unique ids and correlation ids):
 *
 *   - throughput: N reports (--reports, default 20,000) produced as fast as possible; the time until
 *     every stage has consumed everything (each pipeline consumer group's committed offsets at the
 *     end of its topics, the upstream stages done too) and N hazard rows are recorded. Stages:
 *     intake (hazard-reported → hazard row, report-matched), segments (report-matched → re-score,
 *     ranking, risk-changed), tasks (risk-changed and report-matched → task rules);
 *   - latency: reports offered at a fixed rate (--rate, default 1,000/s, a comma list runs each,
 *     `RxS` for S seconds) for --duration seconds (default 30), sent as the gateway publishes (one
 *     request in flight, the reports due meanwhile together in the next); for each report, the moment
 *     it was due → its report-matched and → its segment-risk-changed.v2 (matched by correlation id),
 *     by the message timestamps the producing processes set (CreateTime, one clock) and by the time
 *     this process consumed them;
 *   - ceiling: a bare kafkajs loop in a process of its own (eachBatch, one send per batch, acks=-1)
 *     that reads --ceiling-messages (20,000) messages of the same size from one topic and produces
 *     each to another;
 *   - chain: the same bare loops, one process each, chained as the pipeline's stages are, with no
 *     work done: reports → matched (the intake); matched → one in 8 announced, task changes read
 *     (the segments stage); matched → one in 2 a task change, announcements read (the task stage);
 *     the time until every stage has read all it is to read, the stages joined before it starts.
 *     What the pipeline's Kafka traffic alone costs on this machine.
 *
 * Prints a JSON summary and a markdown table, then stops the services and removes its schemas,
 * topics, consumer groups and Redis keys (also after a failure or Ctrl-C). Writes into no file unless
 * --json FILE (raw results) or --write FILE (the table, between the pipeline-bench markers of the
 * file, or appended) is given. `--help` lists the options.
 */
'use strict';
const { spawn, fork } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { createServer } = require('node:net');
const { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const os = require('node:os');
const { Client } = require('pg');
const { Redis } = require('ioredis');
const { Kafka, Partitioners, AssignerProtocol, logLevel } = require('kafkajs');
const { markProfilesAnnounced } = require('./profiles');

const ROOT = resolve(__dirname, '..', '..');
const DATA_DIR = process.env.ROADLOOP_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data', 'andorra');
const OSM = process.env.ROADLOOP_OSM ?? join(DATA_DIR, 'andorra.osm.pbf');
const DEM = process.env.ROADLOOP_DEM ?? join(DATA_DIR, 'N42E001.hgt');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

// The services' consumer group names (their KAFKA_GROUP_ID, set below, plus the suffixes in
// risk-service intake/ and risk/ and task-service tasks/intake.consumer.ts), prefixed like topics.
const RISK_GROUP = 'risk-service';
const TASK_GROUP = 'task-service';
const STAGES = [
  { name: 'intake', group: `${RISK_GROUP}.intake`, does: 'hazard-reported → hazard row, report-matched' },
  { name: 'segments', group: `${RISK_GROUP}.segments`, does: 'report-matched → re-score, ranking, risk-changed' },
  { name: 'tasks', group: TASK_GROUP, does: 'risk-changed, report-matched → task rules' },
];
/** Longer than the task service's STRETCH_PLAN_INTERVAL_MS (5 s): nothing new for this long means settled. */
const QUIET_MS = 7_000;
const POLL_MS = 500;

const USAGE = `usage: node infra/bench/pipeline.js [options]
  --reports N           reports for the throughput phase (20000)
  --rate R[xS][,…]      offered reports/s of the latency phase, one phase per rate, each for S seconds
                        or --duration (1000; e.g. 5x60,1000x3)
  --duration S          seconds a rate is offered when it names none (30)
  --ceiling-messages N  messages through the bare kafkajs loop, and through the bare chain (20000)
  --partitions N        partitions of every topic (KAFKA_PARTITIONS of the services; 3)
  --skip LIST           phases to leave out: throughput,latency,ceiling,chain
  --log-level L         the services' LOG_LEVEL (warn)
  --geojson FILE        import this network (\`risk-service import --geojson\`, e.g. the synthetic
                        generator's --scored output) instead of the Andorra extract
  --no-profiles         mark the imported segments' profiles as announced before the services start:
                        the task service does not learn the network (its tasks wait unrouted); for
                        networks whose millions of profiles would take hours to announce
  --no-crews            route no task: load no jurisdictions and no crews (by default, on the Andorra
                        extract, its parishes are loaded with one crew each and the first one's as the
                        default crew, as \`npm start\` does, so every task opened is routed to a crew;
                        a --geojson network has no boundaries, and --no-profiles routes nothing)
  --sample N            segments the reports are spread over, drawn once (repeatably) from a larger
                        network (200000)
  --import-timeout S    longest wait for the import (600)
  --settle-timeout S    longest wait for the import's events to drain (900)
  --drain-timeout S     longest wait for a phase's reports to drain (900)
  --seed N              seed of the report generator (20261205)
  --json FILE           write the raw results
  --write FILE          put the markdown table between the pipeline-bench markers of FILE (or append it)
  --keep-logs           keep the services' logs (kept anyway after a failure)
  --cpu-prof DIR        write each service's CPU profile (node --cpu-prof) into DIR when it stops
  --report FILE         run nothing: print (and --write) the tables of an earlier run's --json FILE`;

const { values: args } = parseArgs({
  options: {
    reports: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '30' },
    'ceiling-messages': { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '3' },
    skip: { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'warn' },
    'cpu-prof': { type: 'string' },
    geojson: { type: 'string' },
    'no-profiles': { type: 'boolean', default: false },
    'no-crews': { type: 'boolean', default: false },
    sample: { type: 'string', default: '200000' },
    'import-timeout': { type: 'string', default: '600' },
    'settle-timeout': { type: 'string', default: '900' },
    'drain-timeout': { type: 'string', default: '900' },
    seed: { type: 'string', default: '20261205' },
    json: { type: 'string' },
    write: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function positiveInt(name, value, max = 10_000_000) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${name} must be an integer from 1 to ${max} (got ${JSON.stringify(value)})`);
  return n;
}
function fail(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (v, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const seconds = (ms) => round(ms / 1000, 2);

if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const REPORTS = positiveInt('reports', args.reports);
const DURATION_S = positiveInt('duration', args.duration, 3_600);
/** `R` offers R reports/s for --duration seconds, `RxS` for S seconds. */
const RATES = args.rate.split(',').map((item) => {
  const [rate, duration] = item.trim().split('x');
  return { rate: positiveInt('rate', rate, 100_000), durationS: duration === undefined ? DURATION_S : positiveInt('rate', duration, 3_600) };
});
const CEILING_MESSAGES = positiveInt('ceiling-messages', args['ceiling-messages']);
const PARTITIONS = positiveInt('partitions', args.partitions, 1000);
const SETTLE_TIMEOUT_MS = positiveInt('settle-timeout', args['settle-timeout'], 86_400) * 1000;
const DRAIN_TIMEOUT_MS = positiveInt('drain-timeout', args['drain-timeout'], 86_400) * 1000;
const SEED = positiveInt('seed', args.seed, 2 ** 31);
const SAMPLE = positiveInt('sample', args.sample);
const IMPORT_TIMEOUT_MS = positiveInt('import-timeout', args['import-timeout'], 86_400) * 1000;
if (args.geojson && !existsSync(args.geojson)) fail(`--geojson: no file ${args.geojson}`);
const SKIP = new Set(args.skip.split(',').map((s) => s.trim()).filter(Boolean));
for (const s of SKIP) if (!['throughput', 'latency', 'ceiling', 'chain'].includes(s)) fail(`--skip takes throughput, latency, ceiling, chain (got ${s})`);
/**
 * The bare chain's segments stage announces one message in `announcedEvery`, and its task stage
 * sends a task change for one in `changedEvery`: as the throughput phase's 20,000 reports give about
 * 2,400 risk-changed and 10,160 task-changed events.
 */
const CHAIN = { announcedEvery: 8, changedEvery: 2 };
/** The latency phase's percentiles are also given for each window of this many seconds of the offer (report due → event). */
const INTERVAL_S = 5;
if (!['debug', 'info', 'warn', 'error'].includes(args['log-level'])) fail('--log-level must be debug, info, warn or error');
if (!args.report) {
  if (!args.geojson) for (const [name, file] of [['OSM extract', OSM], ['SRTM tile', DEM]]) if (!existsSync(file)) fail(`${name} ${file} not found (set ROADLOOP_DATA_DIR)`);
  for (const service of ['risk-service', 'task-service']) {
    if (!existsSync(join(ROOT, 'services', service, 'dist', 'main.js'))) fail(`services/${service}/dist/main.js missing: run npm run build`);
  }
}

const contracts = require(join(ROOT, 'libs', 'contracts', 'dist'));
/** How the services' publisher cuts what waits into requests (the latency phase sends as it does). */
const { inRequests } = require(join(ROOT, 'libs', 'kafka', 'dist', 'event-publisher'));
const { hazardReportedTopic, reportMatchedTopic, segmentRiskChangedV2Topic, taskChangedTopic, topicName, HAZARD_CATEGORIES, HAZARD_SEVERITIES } = contracts;

// ---------------------------------------------------------------------------------------------
// Clean-up: registered as things are created, run in reverse once (on success, failure or signal).
// ---------------------------------------------------------------------------------------------

const cleanups = [];
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const { label, run, timeoutMs = 30_000 } of cleanups.reverse()) {
      try {
        await withTimeout(run(), timeoutMs, `clean-up: ${label}`);
      } catch (err) {
        log(`clean-up of ${label} failed: ${err.message}`);
      }
    }
  })();
  return cleaning;
}
let interrupted = false;
/** The services' logs, said where they are when a signal ends the run. */
let logDirInUse;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping and cleaning up (again to quit at once)`);
    cleanup().finally(() => {
      if (logDirInUse) log(`services' logs kept in ${logDirInUse}`);
      process.exit(130);
    });
  });
}

function withTimeout(promise, ms, label) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${label}: no answer after ${ms / 1000} s`)), ms))),
  ]);
}

/** The services started, so that a wait ends at once when one of them dies. */
const services = [];
function assertServicesRunning() {
  for (const s of services) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new Error(`${s.name} stopped (${s.child.exitCode !== null ? `exit code ${s.child.exitCode}` : s.child.signalCode}) during the run; see ${s.logFile}`);
    }
  }
}

/** Polls `check` until it returns a value; `describe` says where things stand when it times out. */
async function waitFor(label, check, { timeoutMs, intervalMs = POLL_MS, describe }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    assertServicesRunning();
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const state = describe ? await describe().catch((e) => `(state unknown: ${e.message})`) : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${label}${state ? `; ${state}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The stack.
// ---------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function runChild(label, argv, env, logFile, timeoutMs) {
  return new Promise((done, reject) => {
    const out = createWriteStream(logFile);
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} took longer than ${timeoutMs / 1000} s (log: ${logFile})`));
    }, timeoutMs);
    cleanups.push({ label, run: async () => void (child.exitCode === null && child.kill('SIGKILL')) });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) done(stdout);
      else reject(new Error(`${label} exited with code ${code} (log: ${logFile})`));
    });
  });
}

async function startService(name, env, logDir) {
  const port = await freePort();
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile);
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, 'services', name, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  cleanups.push({
    label: `stop ${name}`,
    run: async () => {
      const at = services.findIndex((s) => s.child === child);
      if (at >= 0) services.splice(at, 1);
      await stop();
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} to be ready at ${url}/health/ready (log: ${logFile})`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see ${logFile}`);
      try {
        return (await fetch(`${url}/health/ready`)).ok;
      } catch {
        return false; // not listening yet
      }
    },
    // A province's matcher (5 M segments) is built in about 30 s on an idle machine.
    { timeoutMs: 300_000, intervalMs: 250 },
  );
  const service = { name, url, logFile, child };
  services.push(service);
  return service;
}

// ---------------------------------------------------------------------------------------------
// Offsets: where each consumer group stands against the end of its topics.
// ---------------------------------------------------------------------------------------------

class Offsets {
  constructor(admin, prefix) {
    this.admin = admin;
    this.prefix = prefix;
    /** groupId → the topics its members subscribe to. */
    this.groups = new Map();
  }

  /** The prefix's consumer groups (not this script's own) and their subscriptions, from the members' metadata. */
  async discover() {
    const { groups } = await this.admin.listGroups();
    const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${this.prefix}.`) && !g.startsWith(`${this.prefix}.bench.`));
    const described = ids.length ? (await this.admin.describeGroups(ids)).groups : [];
    const found = new Map();
    for (const g of described) {
      const topics = new Set();
      for (const m of g.members) for (const t of AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []) topics.add(t);
      found.set(g.groupId, { state: g.state, topics: [...topics].sort() });
    }
    return found;
  }

  async topicEnds(topics) {
    const ends = new Map();
    await Promise.all(
      topics.map(async (t) => {
        const parts = await this.admin.fetchTopicOffsets(t);
        ends.set(t, new Map(parts.map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
      }),
    );
    return ends;
  }

  /** Lag of every known group (messages between its committed offsets and the ends), and the ends themselves. */
  async snapshot() {
    const topics = [...new Set([...this.groups.values()].flat())];
    const ends = await this.topicEnds(topics);
    const lag = new Map();
    const lagByTopic = new Map();
    const committed = new Map();
    await Promise.all(
      [...this.groups].map(async ([groupId, groupTopics]) => {
        const offsets = await this.admin.fetchOffsets({ groupId, topics: groupTopics });
        let behind = 0;
        let done = 0;
        const byTopic = new Map();
        for (const { topic, partitions } of offsets) {
          let topicBehind = 0;
          for (const p of partitions) {
            const end = ends.get(topic)?.get(p.partition);
            if (!end) continue;
            // No commit yet: the services' consumers start from the beginning.
            const at = Number(p.offset) >= 0 ? Number(p.offset) : end.low;
            topicBehind += Math.max(0, end.high - at);
            done += at;
          }
          byTopic.set(topic, topicBehind);
          behind += topicBehind;
        }
        lag.set(groupId, behind);
        lagByTopic.set(groupId, byTopic);
        committed.set(groupId, done);
      }),
    );
    const endSum = new Map([...ends].map(([t, parts]) => [t, [...parts.values()].reduce((s, p) => s + p.high, 0)]));
    return { at: Date.now(), lag, lagByTopic, committed, ends: endSum };
  }
}

const describeLag = (snap) => [...snap.lag].map(([g, n]) => `${g} ${n} behind`).join(', ');

// ---------------------------------------------------------------------------------------------
// Reports.
// ---------------------------------------------------------------------------------------------

/** A small seeded generator (the geo benchmarks' mulberry32), so every run offers the same places and kinds. */
const rng = require('../../libs/geo/bench/bench-utils').seededRandom;

function weighted(random, table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][0];
}

// Mountain roads: potholes, debris and falling rock most often; few critical reports.
const CATEGORY_WEIGHTS = [
  ['pothole', 22], ['debris', 12], ['rockfall', 12], ['damaged_guardrail', 8], ['missing_guardrail', 5],
  ['sight_obstruction', 8], ['missing_sign', 8], ['ice', 8], ['flooded_road', 5], ['landslide', 4], ['other', 8],
];
const SEVERITY_WEIGHTS = [['low', 35], ['medium', 38], ['high', 20], ['critical', 7]];
const DESCRIPTIONS = [
  'Stones on the carriageway after the night rain',
  'Deep hole in the right lane before the bend',
  'Guardrail bent over about ten metres',
  'Sign knocked down at the junction',
  'Black ice in the shade of the cliff',
  'Water across the road at the low point',
  'Branches hide the oncoming traffic',
];
const REPORTER_KINDS = ['villager', 'patrol', 'police', 'road_crew', 'other'];
for (const [c] of CATEGORY_WEIGHTS) if (!HAZARD_CATEGORIES.includes(c)) throw new Error(`unknown hazard category ${c}`);
for (const [s] of SEVERITY_WEIGHTS) if (!HAZARD_SEVERITIES.includes(s)) throw new Error(`unknown hazard severity ${s}`);

class ReportFactory {
  constructor(segments, seed, topic) {
    this.segments = segments;
    this.random = rng(seed);
    this.topic = topic;
  }

  /** A point on a random piece of a random segment, moved up to 8 m off the line (the match tolerance is 50 m). */
  point() {
    const r = this.random;
    const line = this.segments[Math.floor(r() * this.segments.length)];
    const i = Math.floor(r() * (line.length - 1));
    const [[x0, y0], [x1, y1]] = [line[i], line[i + 1]];
    const t = r();
    const lat = y0 + (y1 - y0) * t + ((r() * 2 - 1) * 8) / 110_540;
    const lon = x0 + (x1 - x0) * t + ((r() * 2 - 1) * 8) / (111_320 * Math.cos((lat * Math.PI) / 180));
    return { lon: round(lon, 6), lat: round(lat, 6) };
  }

  /** One valid hazard-reported message, checked against the contract, keyed by it. */
  message(correlationId, now) {
    const r = this.random;
    const at = new Date(now).toISOString();
    const payload = {
      hazardId: randomUUID(),
      category: weighted(r, CATEGORY_WEIGHTS),
      severity: weighted(r, SEVERITY_WEIGHTS),
      ...this.point(),
      reportedAt: at,
    };
    if (r() < 0.4) payload.description = DESCRIPTIONS[Math.floor(r() * DESCRIPTIONS.length)];
    if (r() < 0.5) payload.reporter = { kind: REPORTER_KINDS[Math.floor(r() * REPORTER_KINDS.length)] };
    const eventId = randomUUID();
    const value = hazardReportedTopic.valueSchema.parse({
      eventId,
      occurredAt: at,
      schemaVersion: hazardReportedTopic.schemaVersion,
      source: 'bench-pipeline',
      correlationId,
      payload,
    });
    return {
      key: hazardReportedTopic.key(value),
      value: JSON.stringify(value),
      timestamp: String(now),
      headers: { 'x-event-id': eventId, 'x-correlation-id': correlationId },
    };
  }
}

/** Sends messages in chunks, a few requests in flight. */
async function produceAll(producer, topic, messages, { chunk = 500, inFlight = 4 } = {}) {
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      const part = messages.slice(next, (next += chunk));
      await producer.send({ topic, acks: -1, messages: part });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

// ---------------------------------------------------------------------------------------------
// Measures.
// ---------------------------------------------------------------------------------------------

function percentiles(values) {
  if (!values.length) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const s = Float64Array.from(values).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { count: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] };
}

/** Watches report-matched and risk-changed for this run's correlation ids (headers only; nothing is parsed). */
class Observer {
  constructor(kafka, groupId, topics, prefix) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    this.topics = topics;
    this.prefix = prefix;
    /** topic → correlationId → { ts: CreateTime ms, at: consumed ms } (the first one seen). */
    this.seen = new Map(topics.map((t) => [t, new Map()]));
    /** `topic:partition` → next offset read. */
    this.position = new Map();
  }

  async start() {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        const seen = this.seen.get(batch.topic);
        for (const m of batch.messages) {
          const raw = m.headers?.['x-correlation-id'];
          const cid = raw === undefined ? undefined : String(Array.isArray(raw) ? raw[0] : raw);
          if (cid?.startsWith(this.prefix) && !seen.has(cid)) seen.set(cid, { ts: Number(m.timestamp), at: now });
        }
        if (batch.messages.length) this.position.set(`${batch.topic}:${batch.partition}`, Number(batch.lastOffset()) + 1);
      },
    });
  }

  /** How many reports of a phase (correlation ids starting with `prefix`) were seen on `topic`. */
  count(topic, prefix) {
    let n = 0;
    for (const cid of this.seen.get(topic).keys()) if (cid.startsWith(prefix)) n++;
    return n;
  }

  /** Whether everything up to `ends` (topic → partition → {high}) has been read. */
  caughtUp(ends) {
    for (const [topic, parts] of ends) {
      for (const [partition, { high, low }] of parts) {
        if (high > low && (this.position.get(`${topic}:${partition}`) ?? 0) < high) return false;
      }
    }
    return true;
  }

  async stop() {
    await this.consumer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

async function main() {
  const id = `pipe${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const schemas = { risk: `${id}_risk`, task: `${id}_task` };
  const logDir = mkdtempSync(join(os.tmpdir(), `roadloop-${id}-`));
  let keepLogs = args['keep-logs'];
  logDirInUse = logDir;
  const common = {
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: id,
    KAFKA_PARTITIONS: String(PARTITIONS),
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: `${id}:`,
    LOG_LEVEL: args['log-level'],
  };
  const topics = {
    hazards: topicName(hazardReportedTopic, id),
    matched: topicName(reportMatchedTopic, id),
    risk: topicName(segmentRiskChangedV2Topic, id),
    tasks: topicName(taskChangedTopic, id),
  };
  const groupOf = (suffix) => `${id}.${suffix}`;
  const machine = await describeMachine();
  const summary = { id, startedAt: new Date().toISOString(), machine, options: { reports: REPORTS, rates: RATES, ceilingMessages: CEILING_MESSAGES, partitions: PARTITIONS, logLevel: args['log-level'], seed: SEED }, phases: {} };
  log(`run ${id}: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load ${machine.loadAtStart.join(' ')}; logs in ${logDir}`);

  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  cleanups.push({ label: 'database connection', run: () => db.end() });
  cleanups.push({
    label: 'scratch schemas',
    run: async () => {
      for (const s of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    },
  });
  const kafka = new Kafka({ clientId: `${id}-bench`, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 30_000, `connecting to the broker at ${KAFKA_BROKERS}`);
  cleanups.push({ label: 'admin client', run: () => admin.disconnect() });
  cleanups.push({
    label: `topics and consumer groups ${id}.*`,
    timeoutMs: 90_000,
    run: async () => {
      const { groups } = await admin.listGroups();
      let mine = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${id}.`));
      // A member of a process that died stays until its session times out (30 s): the group is not empty till then.
      for (let attempt = 1; mine.length; attempt++) {
        try {
          await admin.deleteGroups(mine);
          mine = [];
        } catch (err) {
          const failed = (err.groups ?? []).filter((g) => g.error);
          if (!failed.length || attempt >= 15) {
            log(`deleting consumer groups: ${failed.map((g) => `${g.groupId}: ${g.error.message}`).join('; ') || err.message}`);
            break;
          }
          mine = failed.map((g) => g.groupId);
          await sleep(3_000);
        }
      }
      const names = (await admin.listTopics()).filter((t) => t.startsWith(`${id}.`));
      if (names.length) await admin.deleteTopics({ topics: names });
    },
  });
  cleanups.push({
    label: `Redis keys ${id}:*`,
    run: async () => {
      const redis = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}:*`, 'COUNT', 500);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  });

  try {
    // 1. The region, the services, and the import's own events drained.
    let t = Date.now();
    const source = args.geojson ? ['--geojson', resolve(args.geojson)] : ['--osm', OSM, '--dem', DEM];
    const imported = await runChild(
      'import',
      [join(ROOT, 'services/risk-service/dist/cli.js'), 'import', ...source],
      { ...common, DB_SCHEMA: schemas.risk },
      join(logDir, 'import.log'),
      IMPORT_TIMEOUT_MS,
    );
    summary.importS = seconds(Date.now() - t);
    log(`imported in ${summary.importS} s: ${imported.trim().split('\n').pop()}`);
    const [network] = (await db.query(`SELECT count(*)::int AS n FROM "${schemas.risk}".road_segment`)).rows;
    summary.network = { source: args.geojson ? resolve(args.geojson) : 'andorra', segments: network.n, profiles: !args['no-profiles'], sample: SAMPLE };
    if (args['no-profiles']) {
      t = Date.now();
      await markProfilesAnnounced(db, schemas.risk);
      log(`profiles marked as announced, the table vacuumed, in ${seconds(Date.now() - t)} s`);
    }
    // As `npm start` routes tasks: the extract's parishes (admin level 7) as jurisdictions, a crew in
    // each, and the first one's crew as the region's default crew (for tasks outside every parish).
    // Left out without profiles: the task service then knows no segment's place, and every task
    // would go to the default crew. Otherwise no default crew, whatever the environment says.
    const routing = { DEFAULT_CREW_ID: '' };
    if (args.geojson || args['no-profiles'] || args['no-crews']) summary.network.crews = 0;
    else {
      t = Date.now();
      const areas = join(logDir, 'jurisdictions.geojson');
      await runChild('boundaries', [join(ROOT, 'libs/geo/bin/roadloop-geo.js'), 'boundaries', '--osm', OSM, '--admin-level', '7', '--out', areas], {}, join(logDir, 'boundaries.log'), IMPORT_TIMEOUT_MS);
      await runChild('jurisdictions', [join(ROOT, 'services/task-service/dist/cli.js'), 'jurisdictions', '--geojson', areas], { ...common, DB_SCHEMA: schemas.task }, join(logDir, 'jurisdictions.log'), IMPORT_TIMEOUT_MS);
      const crews = await db.query(
        `INSERT INTO "${schemas.task}".crew (id, name, jurisdiction_id) SELECT id || '-crew', name || ' road crew', id FROM "${schemas.task}".jurisdiction RETURNING id`,
      );
      const first = JSON.parse(readFileSync(areas, 'utf8')).features[0]?.properties.id;
      if (first) routing.DEFAULT_CREW_ID = `${first}-crew`;
      summary.network.crews = crews.rowCount;
      summary.network.defaultCrew = routing.DEFAULT_CREW_ID || null;
      log(`${crews.rowCount} jurisdictions with a crew each, loaded in ${seconds(Date.now() - t)} s; default crew ${routing.DEFAULT_CREW_ID || 'none'}`);
    }
    t = Date.now();
    const [risk, task] = await Promise.all([
      startService('risk-service', { ...common, DB_SCHEMA: schemas.risk, KAFKA_GROUP_ID: RISK_GROUP }, logDir),
      startService('task-service', { ...common, ...routing, DB_SCHEMA: schemas.task, KAFKA_GROUP_ID: TASK_GROUP }, logDir),
    ]);
    log(`risk service ${risk.url} and task service ${task.url} ready in ${seconds(Date.now() - t)} s`);

    const offsets = new Offsets(admin, id);
    const settle = async (label) => {
      const started = Date.now();
      let last;
      let planned = false;
      let quietSince = Date.now();
      let progressAt = Date.now();
      await waitFor(
        `${label} to settle (every consumer group at the end of its topics, nothing new for ${QUIET_MS / 1000} s)`,
        async () => {
          const found = await offsets.discover();
          for (const stage of STAGES) if (!found.has(groupOf(stage.group))) return false;
          // A group rebalancing, or whose consumer is restarting, has no members to say what it reads.
          for (const g of found.values()) if (g.state !== 'Stable' || !g.topics.length) return false;
          offsets.groups = new Map([...found].map(([g, v]) => [g, v.topics]));
          const [pending] = (
            await db.query(`SELECT count(*) FILTER (WHERE NOT profile_published)::int AS profiles, count(*) FILTER (WHERE rescore_pending)::int AS rescores FROM "${schemas.risk}".road_segment`)
          ).rows;
          // The task service plans the import's guardrail and survey stretches on a timer once the needs
          // have been still for a while, and publishes through its outbox: wait for a plan newer than
          // the last need (task.created_at is its transaction's start) and an empty outbox.
          const [tasks] = (
            await db.query(`SELECT (SELECT count(*)::int FROM "${schemas.task}".outbox WHERE published_at IS NULL) AS outbox,
                                   (SELECT max(updated_at) FROM "${schemas.task}".roadside_need) AS needs_at,
                                   (SELECT max(t.created_at) FROM "${schemas.task}".task_stretch ts JOIN "${schemas.task}".task t ON t.id = ts.task_id) AS planned_at`)
          ).rows;
          planned = !tasks.needs_at || (tasks.planned_at !== null && tasks.planned_at > tasks.needs_at);
          const snap = await offsets.snapshot();
          const ends = JSON.stringify([...snap.ends].sort());
          if (ends !== last) quietSince = Date.now();
          last = ends;
          if (Date.now() - progressAt > 10_000) {
            progressAt = Date.now();
            log(`  ${label}: ${seconds(Date.now() - started)} s; ${pending.profiles} profiles and ${pending.rescores} re-scores pending, ${tasks.outbox} task events in the outbox, stretches ${planned ? '' : 'not yet '}planned; ${describeLag(snap)}`);
          }
          const behind = [...snap.lag.values()].reduce((s, n) => s + n, 0);
          return behind === 0 && pending.profiles === 0 && pending.rescores === 0 && tasks.outbox === 0 && planned && Date.now() - quietSince >= QUIET_MS;
        },
        {
          timeoutMs: SETTLE_TIMEOUT_MS,
          intervalMs: 1_000,
          describe: async () => {
            const found = await offsets.discover();
            const missing = STAGES.map((s) => groupOf(s.group)).filter((g) => !found.has(g));
            if (missing.length) return `consumer groups ${missing.join(', ')} not found (found: ${[...found.keys()].join(', ') || 'none'}; see the logs in ${logDir})`;
            const unsettled = [...found].filter(([, g]) => g.state !== 'Stable' || !g.topics.length);
            if (unsettled.length) return `consumer groups not stable: ${unsettled.map(([id, g]) => `${id} ${g.state}`).join(', ')} (see the logs in ${logDir})`;
            if (!planned) return `the task service has not planned stretches since the last roadside need changed; ${describeLag(await offsets.snapshot())}`;
            return describeLag(await offsets.snapshot());
          },
        },
      );
      return Date.now() - started;
    };
    const settledMs = await settle('the import');
    log(`import's events drained in ${seconds(settledMs)} s; groups: ${[...offsets.groups].map(([g, ts]) => `${g} (${ts.join(', ')})`).join('; ')}`);
    summary.settleAfterImportS = seconds(settledMs);
    summary.groups = Object.fromEntries(offsets.groups);
    const existing = new Set(await admin.listTopics());
    for (const topic of Object.values(topics)) if (!existing.has(topic)) throw new Error(`topic ${topic} was not created by the services`);

    // A large network is sampled once (about --sample rows), repeatably for the same seed and the same physical table.
    const sampled = network.n > SAMPLE ? ` TABLESAMPLE BERNOULLI (${(100 * SAMPLE) / network.n}) REPEATABLE (${SEED})` : '';
    const segments = (await db.query(`SELECT ST_AsGeoJSON(geom)::json->'coordinates' AS c FROM "${schemas.risk}".road_segment${sampled} ORDER BY id`)).rows.map((r) => r.c);
    summary.network.reportedSegments = segments.length;
    if (!segments.length) throw new Error('no segments imported');
    const factory = new ReportFactory(segments, SEED, topics.hazards);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    cleanups.push({ label: 'producer', run: () => producer.disconnect() });
    const hazardCount = async (prefix) =>
      (await db.query(`SELECT count(*)::int AS n FROM "${schemas.risk}".hazard WHERE correlation_id LIKE $1`, [`${prefix}%`])).rows[0].n;
    const stageGroups = STAGES.map((s) => groupOf(s.group));

    // 2. Throughput.
    if (!SKIP.has('throughput')) {
      const prefix = `${id}-t-`;
      const now = Date.now();
      const messages = Array.from({ length: REPORTS }, (_, i) => factory.message(`${prefix}${i}`, now));
      const meanBytes = Math.round(messages.reduce((s, m) => s + Buffer.byteLength(m.value), 0) / messages.length);
      log(`throughput: ${REPORTS} reports (${meanBytes} bytes on average) onto ${topics.hazards}`);
      const before = await offsets.snapshot();
      const loadBefore = os.loadavg();
      const t0 = Date.now();
      await produceAll(producer, topics.hazards, messages);
      const producedMs = Date.now() - t0;
      log(`  produced in ${seconds(producedMs)} s`);
      const stageDone = new Map();
      /** `group topic` → since when that group has been at the end of that topic (once every report was stored). */
      const topicDone = new Map();
      let progressAt = Date.now();
      let lastSnap;
      let storedAll = false;
      const end = await waitFor(
        `the pipeline to process ${REPORTS} reports`,
        async () => {
          const snap = await offsets.snapshot();
          lastSnap = snap;
          // The hazard rows are counted (a scan of the table) only once the intake has committed all
          // it read, which it does after storing them, and no more once all are there: counted at
          // every poll, they loaded the database being measured.
          const stored = storedAll ? REPORTS : snap.lag.get(stageGroups[0]) === 0 ? await hazardCount(prefix) : null;
          storedAll = stored === REPORTS;
          let upstreamDone = storedAll;
          if (upstreamDone && snap.lag.get(stageGroups[0]) === 0) {
            for (const g of stageGroups) {
              for (const [topic, behind] of snap.lagByTopic.get(g)) {
                if (behind > 0) topicDone.delete(`${g} ${topic}`);
                else if (!topicDone.has(`${g} ${topic}`)) topicDone.set(`${g} ${topic}`, snap);
              }
            }
          }
          for (const g of stageGroups) {
            upstreamDone &&= snap.lag.get(g) === 0;
            if (upstreamDone && !stageDone.has(g)) stageDone.set(g, snap);
          }
          if (Date.now() - progressAt > 5_000) {
            progressAt = Date.now();
            log(`  ${seconds(snap.at - t0)} s: ${stored === null ? 'hazards not counted yet (the intake is behind)' : `${stored}/${REPORTS} hazards stored`}; ${stageGroups.map((g) => `${g.slice(id.length + 1)} ${snap.lag.get(g)} behind`).join(', ')}`);
          }
          return stageDone.size === stageGroups.length ? snap : undefined;
        },
        {
          timeoutMs: DRAIN_TIMEOUT_MS,
          describe: async () => {
            const stored = await hazardCount(prefix);
            return `${stored} of ${REPORTS} hazards stored after ${seconds(Date.now() - t0)} s (≈ ${round(stored / ((Date.now() - t0) / 1000))}/s); ${lastSnap ? describeLag(lastSnap) : ''}`;
          },
        },
      );
      const totalMs = end.at - t0;
      const result = {
        reports: REPORTS,
        meanMessageBytes: meanBytes,
        producedS: seconds(producedMs),
        endToEndS: seconds(totalMs),
        reportsPerS: round(REPORTS / (totalMs / 1000)),
        riskChangedPublished: (end.ends.get(topics.risk) ?? 0) - (before.ends.get(topics.risk) ?? 0),
        reportMatchedPublished: (end.ends.get(topics.matched) ?? 0) - (before.ends.get(topics.matched) ?? 0),
        tasksChanged: (end.ends.get(topics.tasks) ?? 0) - (before.ends.get(topics.tasks) ?? 0),
        stages: STAGES.map((s) => {
          const g = groupOf(s.group);
          const snap = stageDone.get(g);
          const handled = snap.committed.get(g) - before.committed.get(g);
          const topicsRead = [...offsets.groups.get(g)].map((topic) => {
            const at = topicDone.get(`${g} ${topic}`) ?? snap;
            return { topic: topic.slice(id.length + 1), drainedS: seconds(at.at - t0), messages: end.ends.get(topic) - before.ends.get(topic) };
          });
          return {
            stage: s.name,
            group: g,
            does: s.does,
            drainedS: seconds(snap.at - t0),
            messages: handled,
            messagesPerS: round(handled / ((snap.at - t0) / 1000)),
            topics: topicsRead.filter((x) => x.messages > 0),
          };
        }),
        loadBefore: loadBefore.map((l) => round(l, 2)),
        loadAfter: os.loadavg().map((l) => round(l, 2)),
      };
      summary.phases.throughput = result;
      log(`  ${REPORTS} reports end to end in ${result.endToEndS} s: ${result.reportsPerS} reports/s; ${result.stages.map((s) => `${s.stage} drained at ${s.drainedS} s`).join(', ')}`);
      log(`  settled again in ${seconds(await settle('the throughput phase'))} s`);
    }

    // 3. Latency at fixed offered rates.
    if (!SKIP.has('latency')) {
      const observer = new Observer(kafka, `${id}.bench.observer`, [topics.matched, topics.risk], `${id}-l`);
      cleanups.push({ label: 'observer', run: () => observer.stop() });
      const ends = await offsets.topicEnds([topics.matched, topics.risk]);
      await observer.start();
      await waitFor('the observer to read the topics so far', () => observer.caughtUp(ends), { timeoutMs: 120_000 });
      summary.phases.latency = [];
      for (const [index, { rate, durationS }] of RATES.entries()) {
        const prefix = `${id}-l${index}-`;
        const total = rate * durationS;
        const sentAt = new Array(total);
        log(`latency: ${total} reports at ${rate}/s for ${durationS} s`);
        const loadBefore = os.loadavg();
        const t0 = Date.now();
        // As the gateway publishes (one request in flight; the reports that came meanwhile go together
        // in the next one, cut by the publisher's own limits), each report timed from the moment it
        // was due, not from when it was sent.
        let sent = 0;
        while (sent < total) {
          const due = Math.min(total, Math.floor(((Date.now() - t0) * rate) / 1000) + 1);
          if (due > sent) {
            const batch = [];
            for (; sent < due; sent++) {
              sentAt[sent] = t0 + Math.floor((sent * 1000) / rate);
              batch.push(factory.message(`${prefix}${sent}`, sentAt[sent]));
            }
            for (const part of inRequests(batch)) await producer.send({ topic: topics.hazards, acks: -1, messages: part });
            continue;
          }
          await sleep(Math.max(1, Math.ceil(t0 + (sent * 1000) / rate - Date.now())));
        }
        const offeredMs = Date.now() - t0;
        let lastState;
        let progressAt = Date.now();
        let timedOut = null;
        try {
          await waitFor(
            `the pipeline to process the ${total} reports offered at ${rate}/s`,
            async () => {
              const [snap, stored] = await Promise.all([offsets.snapshot(), hazardCount(prefix)]);
              lastState = { snap, stored };
              if (Date.now() - progressAt > 5_000) {
                progressAt = Date.now();
                log(`  ${seconds(Date.now() - t0)} s: ${stored}/${total} stored, ${observer.count(topics.matched, prefix)} matched, ${observer.count(topics.risk, prefix)} risk changes seen; ${stageGroups.map((g) => `${g.slice(id.length + 1)} ${snap.lag.get(g)} behind`).join(', ')}`);
              }
              if (stored !== total || stageGroups.some((g) => snap.lag.get(g) !== 0)) return false;
              const topicEnds = await offsets.topicEnds([topics.matched, topics.risk]);
              return observer.caughtUp(topicEnds);
            },
            {
              timeoutMs: DRAIN_TIMEOUT_MS,
              describe: async () => `${lastState?.stored ?? '?'} of ${total} stored; ${lastState ? describeLag(lastState.snap) : ''}`,
            },
          );
        } catch (err) {
          timedOut = err.message;
          log(`  ${err.message}: reporting what was seen`);
        }
        const drainedMs = Date.now() - t0 - offeredMs;
        const lat = (topic) => {
          const seen = observer.seen.get(topic);
          const byTs = [];
          const byConsumed = [];
          // By the time into the offer the report was due, in windows of INTERVAL_S (by timestamp).
          const windows = Array.from({ length: Math.ceil(durationS / INTERVAL_S) }, () => ({ offered: 0, ms: [] }));
          for (let i = 0; i < total; i++) {
            const window = windows[Math.min(windows.length - 1, Math.floor((sentAt[i] - t0) / 1000 / INTERVAL_S))];
            window.offered++;
            const s = seen.get(`${prefix}${i}`);
            if (!s) continue;
            byTs.push(s.ts - sentAt[i]);
            byConsumed.push(s.at - sentAt[i]);
            window.ms.push(s.ts - sentAt[i]);
          }
          const byInterval = windows.map((w, k) => ({ fromS: k * INTERVAL_S, share: round(w.ms.length / Math.max(1, w.offered), 4), ...percentiles(w.ms) }));
          return { byTimestampMs: percentiles(byTs), byConsumedMs: percentiles(byConsumed), byInterval };
        };
        const matched = lat(topics.matched);
        const riskChanged = lat(topics.risk);
        const result = {
          offeredPerS: rate,
          durationS,
          reports: total,
          achievedOfferPerS: round(total / (offeredMs / 1000)),
          drainedAfterOfferS: seconds(drainedMs),
          timedOut,
          matched: { share: round(matched.byTimestampMs.count / total, 4), ...matched },
          riskChanged: { share: round(riskChanged.byTimestampMs.count / total, 4), ...riskChanged },
          loadBefore: loadBefore.map((l) => round(l, 2)),
          loadAfter: os.loadavg().map((l) => round(l, 2)),
        };
        summary.phases.latency.push(result);
        const p = (x) => x.byTimestampMs;
        log(
          `  report → matched p50/p99 ${p(result.matched).p50}/${p(result.matched).p99} ms (${result.matched.share * 100} % matched); ` +
            `report → risk-changed p50/p99 ${p(result.riskChanged).p50}/${p(result.riskChanged).p99} ms (${round(result.riskChanged.share * 100, 2)} % of reports)`,
        );
        if (timedOut) break;
        if (index < RATES.length - 1) log(`  settled again in ${seconds(await settle(`the ${rate}/s phase`))} s`);
      }
      await observer.stop().catch(() => undefined);
    }

    // 4. The bare kafkajs ceiling, same message size and partitions, on the same broker; then the
    // same bare loops chained as the pipeline's stages are, with no work done in any of them.
    // `stages`: each stage's topics read (and where each forwards: all, or one message in `every`) and
    // how many messages it is to read in all; the first stage's first topic holds the input.
    const bare = async (name, tag, stages) => {
      const topics = [...new Set(stages.flatMap((st) => st.reads.flatMap((r) => [r.from, r.to].filter(Boolean))))].map((t) => `${id}.bench.${name}-${t}`);
      await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: -1 })) });
      const messages = Array.from({ length: CEILING_MESSAGES }, (_, i) => factory.message(`${id}-${tag}-${i}`, Date.now()));
      await produceAll(producer, `${id}.bench.${name}-${stages[0].reads[0].from}`, messages);
      const loadBefore = os.loadavg();
      const workers = stages.map((st, i) => {
        const config = {
          brokers: KAFKA_BROKERS.split(','),
          reads: st.reads.map((r) => ({ ...r, from: `${id}.bench.${name}-${r.from}`, to: r.to && `${id}.bench.${name}-${r.to}` })),
          groupId: `${id}.bench.${name}${stages.length > 1 ? `-${i}` : ''}`,
          messages: st.messages,
        };
        const worker = fork(join(__dirname, 'pipeline-ceiling-worker.js'), [], { env: { ...process.env, BENCH_CEILING: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        worker.on('error', () => undefined); // a message to a worker that has exited: its exit is what counts
        cleanups.push({ label: `${name} worker ${i}`, run: async () => void (worker.exitCode === null && worker.kill('SIGKILL')) });
        return worker;
      });
      // Every stage joined before any handles a message: their start-up is not measured.
      const heard = (kind) =>
        withTimeout(
          Promise.all(
            workers.map(
              (worker) =>
                new Promise((ok, ko) => {
                  worker.on('message', (m) => m[kind] && ok(m));
                  worker.on('exit', (code) => ko(new Error(`a ${name} worker exited with code ${code}`)));
                }),
            ),
          ),
          DRAIN_TIMEOUT_MS,
          `the bare kafkajs ${name} ${kind === 'ready' ? 'joining its groups' : `moving ${CEILING_MESSAGES} messages`}`,
        );
      await heard('ready');
      const finished = heard('done');
      for (const worker of workers) worker.send('go');
      const done = await finished;
      for (const worker of workers) {
        const exited = new Promise((ok) => (worker.exitCode !== null ? ok() : worker.once('exit', ok)));
        if (worker.connected) worker.send('stop');
        await withTimeout(exited, 30_000, `stopping a ${name} worker`);
      }
      const ms = Math.max(...done.map((d) => d.lastAt)) - Math.min(...done.map((d) => d.firstAt));
      return {
        messages: CEILING_MESSAGES,
        meanMessageBytes: Math.round(messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0) / messages.length),
        seconds: seconds(ms),
        messagesPerS: round(CEILING_MESSAGES / (ms / 1000)),
        /** CPU of the loops' own processes per input message (the broker's is not counted). */
        workersCpuMsPerMessage: round(done.reduce((sum, d) => sum + d.cpuMs, 0) / CEILING_MESSAGES, 4),
        loadBefore: loadBefore.map((l) => round(l, 2)),
        loadAfter: os.loadavg().map((l) => round(l, 2)),
      };
    };
    if (!SKIP.has('ceiling')) {
      log(`ceiling: ${CEILING_MESSAGES} messages through a bare kafkajs consume-and-produce loop`);
      summary.phases.ceiling = await bare('ceiling', 'c', [{ reads: [{ from: 'in', to: 'out' }], messages: CEILING_MESSAGES }]);
      log(`  ${CEILING_MESSAGES} messages in ${summary.phases.ceiling.seconds} s: ${summary.phases.ceiling.messagesPerS} messages/s`);
    }
    if (!SKIP.has('chain')) {
      // The pipeline's stages with no work: the intake (reports → matched), the segments stage (matched
      // → a few announced, as a few reports move a level; reads the task changes too) and the task
      // stage (matched → task changes for half of them; reads the announcements too).
      const n = CEILING_MESSAGES;
      const multiples = (every) => Math.ceil(n / every);
      log(`chain: ${n} messages through bare kafkajs loops chained as the pipeline's stages`);
      summary.phases.chain = {
        ...(await bare('chain', 'k', [
          { reads: [{ from: 'reports', to: 'matched' }], messages: n },
          { reads: [{ from: 'matched', to: 'announced', every: CHAIN.announcedEvery }, { from: 'changed' }], messages: n + multiples(CHAIN.changedEvery) },
          { reads: [{ from: 'matched', to: 'changed', every: CHAIN.changedEvery }, { from: 'announced' }], messages: n + multiples(CHAIN.announcedEvery) },
        ])),
        ...CHAIN,
      };
      log(`  ${n} messages in ${summary.phases.chain.seconds} s: ${summary.phases.chain.messagesPerS} messages/s`);
    }
    const { throughput, ceiling, chain } = summary.phases;
    if (throughput && ceiling) summary.pipelineToCeiling = round(throughput.reportsPerS / ceiling.messagesPerS, 4);
    if (chain && ceiling) summary.chainToCeiling = round(chain.messagesPerS / ceiling.messagesPerS, 4);
    summary.finishedAt = new Date().toISOString();
    summary.machine.loadAtEnd = os.loadavg().map((l) => round(l, 2));
  } catch (err) {
    keepLogs = true;
    summary.error = err.message;
    throw err;
  } finally {
    const md = markdown(summary);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n${md}\n`);
    if (args.json) writeFileSync(args.json, JSON.stringify(summary, null, 2));
    if (args.write && !summary.error) writeSection(args.write, md);
    await cleanup();
    if (keepLogs) log(`services' logs kept in ${logDir}`);
    else rmSync(logDir, { recursive: true, force: true });
  }
}

async function describeMachine() {
  const pomVersion = /<kafka\.version>([^<]+)</.exec(readFileSync(join(ROOT, 'infra/kafka/pom.xml'), 'utf8'))?.[1];
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const pg = (await db.query('SHOW server_version')).rows[0].server_version;
  await db.end();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  redis.disconnect();
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    kafka: pomVersion ?? 'unknown',
    postgres: pg,
    redis: redisVersion ?? 'unknown',
    loadAtStart: os.loadavg().map((l) => round(l, 2)),
  };
}

function markdown(s) {
  const n = (v) => (v === null || v === undefined ? '–' : v.toLocaleString('en'));
  const lines = [];
  const m = s.machine;
  lines.push(`Run ${s.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${m.cpus} × ${m.cpu}, Node ${m.node}, Kafka ${m.kafka}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
    `1-minute load average ${m.loadAtStart[0]} at the start${m.loadAtEnd ? `, ${m.loadAtEnd[0]} at the end` : ''}; ${s.options.partitions} partitions per topic; services' LOG_LEVEL ${s.options.logLevel}.`);
  if (s.network) {
    const w = s.network;
    lines.push('');
    // A run that failed before the reports were generated has no sample.
    const spread = w.reportedSegments === undefined ? '' : `; reports spread over ${w.reportedSegments === w.segments ? 'all of them' : `${n(w.reportedSegments)} of them, sampled`}`;
    lines.push(`Network: ${n(w.segments)} segments (${w.source === 'andorra' ? 'the Andorra extract' : w.source === 'geojson' ? 'a GeoJSON network' : `GeoJSON ${w.source.split('/').pop()}`}, imported in ${s.importS} s${w.profiles ? '' : ', profiles not announced to the task service'})${spread}; ${w.crews ? `tasks routed to the crews of ${n(w.crews)} jurisdictions, one crew each${w.defaultCrew ? `, ${w.defaultCrew} the default crew` : ', no default crew'}` : w.crews === 0 ? 'no crews: tasks opened stay unrouted' : 'crews not recorded'}.`);
  }
  lines.push('');
  const t = s.phases.throughput;
  if (t) {
    lines.push(`| throughput: ${t.reports.toLocaleString('en')} reports (${t.meanMessageBytes} B) produced in ${t.producedS} s | drained after | messages handled | messages/s |`);
    lines.push('|---|---:|---:|---:|');
    for (const st of t.stages) {
      const read = st.topics.map((x) => `${x.topic.replace(/^roadloop\./, '')} ${x.messages.toLocaleString('en')} by ${x.drainedS} s`).join(', ');
      lines.push(`| ${st.stage}: ${st.does} (read: ${read}) | ${st.drainedS} s | ${st.messages.toLocaleString('en')} | ${st.messagesPerS} |`);
    }
    lines.push(`| **end to end** | **${t.endToEndS} s** | ${t.reports.toLocaleString('en')} reports | **${t.reportsPerS} reports/s** |`);
    lines.push('');
    lines.push(`${n(t.reportMatchedPublished)} report-matched, ${n(t.riskChangedPublished)} risk-changed and ${n(t.tasksChanged)} task-changed events published meanwhile.`);
    lines.push('');
  }
  if (s.phases.ceiling) {
    const c = s.phases.ceiling;
    lines.push(`Bare kafkajs consume-and-produce loop (${n(c.messages)} messages of ${c.meanMessageBytes} B): ${n(c.messagesPerS)} messages/s` +
      (s.pipelineToCeiling !== undefined ? `; the pipeline reaches ${round(s.pipelineToCeiling * 100, 1)} % of it.` : '.'));
    lines.push('');
  }
  if (s.phases.chain) {
    const c = s.phases.chain;
    // Results of the chain's first version (no task changes' way back) have no changedEvery.
    const stages =
      c.changedEvery === undefined
        ? `reports → matched; matched → one in ${c.announcedEvery} announced; matched read by a third`
        : `reports → matched; matched → one in ${c.announcedEvery} announced, task changes read; matched → one in ${c.changedEvery} a task change, announcements read`;
    lines.push(`Bare kafkajs loops chained as the pipeline's stages, no work done (${stages}): ${n(c.messagesPerS)} messages/s end to end` +
      (s.chainToCeiling !== undefined ? `, ${round(s.chainToCeiling * 100, 1)} % of the bare loop` : '') +
      (c.workersCpuMsPerMessage !== undefined ? `; the loops' processes used ${c.workersCpuMsPerMessage} CPU-ms per message (the bare loop's: ${s.phases.ceiling?.workersCpuMsPerMessage ?? '–'}), the broker's not counted.` : '.'));
    lines.push('');
  }
  if (s.phases.latency?.length) {
    lines.push('| offered reports/s × s | achieved | measure | share of reports | p50 ms | p95 ms | p99 ms | max ms | drained after the offer |');
    lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|');
    for (const l of s.phases.latency) {
      for (const [name, x] of [['report → report-matched', l.matched], ['report → risk-changed', l.riskChanged]]) {
        const p = x.byTimestampMs;
        lines.push(`| ${n(l.offeredPerS)} × ${l.durationS} | ${n(l.achievedOfferPerS)} | ${name} | ${round(x.share * 100, 2)} % | ${n(p.p50)} | ${n(p.p95)} | ${n(p.p99)} | ${n(p.max)} | ${l.timedOut ? 'timed out' : `${l.drainedAfterOfferS} s`} |`);
      }
    }
    lines.push('');
    for (const l of s.phases.latency) {
      const windows = l.riskChanged.byInterval;
      if (!windows?.length) continue;
      const span = (w, i) => `${w.fromS}–${windows[i + 1]?.fromS ?? l.durationS} s`;
      lines.push(
        `Report → risk-changed at ${n(l.offeredPerS)}/s by when the report was due (p50 / p99 ms; share moving a level): ` +
          windows.map((w, i) => `${span(w, i)} ${w.count ? `${n(w.p50)} / ${n(w.p99)}` : '–'} (${round(w.share * 100, 1)} %)`).join(' · ') + '.',
      );
      lines.push('');
    }
  }
  if (s.error) lines.push(`Failed: ${s.error}`);
  return lines.join('\n');
}

const BEGIN = '<!-- pipeline-bench:begin -->';
const END = '<!-- pipeline-bench:end -->';
function writeSection(file, md) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const block = `${BEGIN}\n${md.trimEnd()}\n${END}`;
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const next = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  log(`wrote the results into ${file}`);
}

if (args.report) {
  const md = markdown(JSON.parse(readFileSync(args.report, 'utf8')));
  process.stdout.write(`${md}\n`);
  if (args.write) writeSection(args.write, md);
} else {
  main().catch((err) => {
    log(err.stack ?? String(err));
    process.exitCode = 1;
  });
}
