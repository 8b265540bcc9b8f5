#!/usr/bin/env node
import { DEVELOPMENT_JWT_SECRET } from '@roadloop/auth';
import { CommandLineError, parseCommandLine } from '@roadloop/config';
import { TaskSummary, advanceTask, pickWeight, workThrough } from './crew-work';
import { GatewayClient } from './gateway-client';
import { Random, createRandom } from './random';
import { SegmentSample, buildScenario, crashWeight, makeAccident, makeHazard } from './scenario';

const USAGE = `usage: node libs/simulator/dist/replay.js [--gateway URL] [--seed N] [--crash-years N] [--crashes-per-year N]
       [--hazard-days N] [--hazards-per-day N] [--live-minutes N] [--interval-s N] [--bbox minLon,minLat,maxLon,maxLat]

Replays a scripted, seeded stream against a running Roadloop through its public API: years of crash
history and weeks of hazard reports first (backdated), then crews working their tasks and inspectors
checking them, then a live trickle of new reports, crashes and crew work until --live-minutes pass.`;

interface Options {
  gateway: string;
  seed: number;
  crashYears: number;
  crashesPerYear: number;
  hazardDays: number;
  hazardsPerDay: number;
  liveMinutes: number;
  intervalS: number;
  bbox: string | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      gateway: { type: 'string', default: 'http://127.0.0.1:3000' },
      seed: { type: 'string', default: '20261127' },
      'crash-years': { type: 'string', default: '3' },
      'crashes-per-year': { type: 'string', default: '60' },
      'hazard-days': { type: 'string', default: '28' },
      'hazards-per-day': { type: 'string', default: '4' },
      'live-minutes': { type: 'string', default: '30' },
      'interval-s': { type: 'string', default: '6' },
      bbox: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (name: keyof typeof values, min: number, max: number): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  return {
    gateway: values.gateway!,
    seed: number('seed', 0, 2 ** 32 - 1),
    crashYears: number('crash-years', 0, 10),
    crashesPerYear: number('crashes-per-year', 0, 10_000),
    hazardDays: number('hazard-days', 0, 365),
    hazardsPerDay: number('hazards-per-day', 0, 1000),
    liveMinutes: number('live-minutes', 0, 24 * 60),
    intervalS: number('interval-s', 0.1, 3600),
    bbox: values.bbox ?? null,
  };
}

interface SegmentFeature {
  geometry: { coordinates: [number, number][] };
  properties: { id: string; lengthM: number; exposureScore: number; waterSide: string | null; cliffSide: string | null };
}

/** The region around the riskiest segment (the API serves at most one square degree at a time). */
async function regionBbox(client: GatewayClient): Promise<string | null> {
  const top = await client.request<{ items: { segmentId: string }[] }>('GET', '/v1/segments/top?limit=1', { role: 'analyst' });
  if (!top.items.length) return null;
  const detail = await client.request<{ geometry: { coordinates: [number, number][] } }>(
    'GET',
    `/v1/segments/${encodeURIComponent(top.items[0].segmentId)}`,
    { role: 'analyst' },
  );
  const [lon, lat] = detail.geometry.coordinates[0];
  const r = (v: number) => Math.round(v * 1e4) / 1e4;
  return [r(Math.max(-180, lon - 0.49)), r(Math.max(-90, lat - 0.49)), r(Math.min(180, lon + 0.49)), r(Math.min(90, lat + 0.49))].join(',');
}

async function loadSegments(client: GatewayClient, bbox: string): Promise<SegmentSample[]> {
  const out: SegmentSample[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await client.request<{ features: SegmentFeature[] }>('GET', `/v1/segments?bbox=${bbox}&limit=5000&offset=${offset}`, { role: 'analyst' });
    for (const f of page.features) {
      out.push({
        id: f.properties.id,
        coordinates: f.geometry.coordinates,
        lengthM: f.properties.lengthM,
        exposureScore: f.properties.exposureScore,
        waterSide: f.properties.waterSide !== null,
        cliffSide: f.properties.cliffSide !== null,
      });
    }
    if (page.features.length < 5000) return out;
  }
}

/** Runs `work` over `items` with at most `concurrency` requests in flight; counts failures instead of stopping. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        failed++;
        if (failed <= 3) process.stderr.write(`replay: ${(err as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

async function openTasks(client: GatewayClient): Promise<TaskSummary[]> {
  const statuses = ['assigned', 'accepted', 'in_progress', 'submitted', 'rejected', 'reopened'];
  const lists = await Promise.all(
    statuses.map((s) => client.request<{ items: TaskSummary[] }>('GET', `/v1/tasks?status=${s}&limit=500`, { role: 'dispatcher' })),
  );
  return lists.flatMap((l) => l.items);
}

/** Polls the open tasks until their count holds still for `quietPolls` polls (or `maxMs` passes). */
async function waitForOpenTasks(client: GatewayClient, { intervalMs = 2_000, quietPolls = 3, maxMs = 240_000 } = {}) {
  const started = Date.now();
  let last = -1;
  let quiet = 0;
  for (;;) {
    const count = (await openTasks(client)).length;
    quiet = count > 0 && count === last ? quiet + 1 : 0;
    last = count;
    if (quiet >= quietPolls || Date.now() - started > maxMs) return { count, ms: Date.now() - started };
    await sleep(intervalMs);
  }
}

/** Up to `count` open tasks chosen by crews' preferences (work under way and urgent work first), without repeats. */
function chooseTasks(tasks: readonly TaskSummary[], random: Random, count: number): TaskSummary[] {
  const pool = tasks.filter((t) => pickWeight(t) > 0);
  const chosen: TaskSummary[] = [];
  while (chosen.length < count && pool.length) {
    const task = random.weighted(pool, pickWeight);
    chosen.push(task);
    pool.splice(pool.indexOf(task), 1);
  }
  return chosen;
}

/** One round of crew work: each of `count` chosen tasks moves one step. */
async function crewRound(client: GatewayClient, random: Random, count: number): Promise<Record<string, number>> {
  const steps: Record<string, number> = {};
  for (const task of chooseTasks(await openTasks(client), random, count)) {
    const done = await advanceTask(client, task, random);
    if (done) steps[done.step] = (steps[done.step] ?? 0) + 1;
  }
  return steps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`replay: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const client = new GatewayClient(options.gateway, {
    secret: process.env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    issuer: process.env.JWT_ISSUER ?? 'roadloop',
    audience: process.env.JWT_AUDIENCE ?? 'roadloop-api',
  });
  const random = createRandom(options.seed);
  const bbox = options.bbox ?? (await regionBbox(client));
  if (!bbox) {
    process.stderr.write('replay: no road segments are imported; nothing to replay\n');
    return 1;
  }
  const segments = await loadSegments(client, bbox);
  if (!segments.length) {
    process.stderr.write(`replay: no road segments in ${bbox}\n`);
    return 1;
  }
  const now = new Date();
  const runLabel = `replay-${options.seed}`;
  const scenario = buildScenario(segments, { ...options, now, runLabel }, random);
  const started = Date.now();
  const failedCrashes = await inParallel(scenario.accidents, 4, (a) => client.request('POST', '/v1/accidents', { role: 'dispatcher', body: a }));
  // Weeks-old reports are entered by a dispatcher: anonymous ones may be HAZARD_ANONYMOUS_MAX_AGE_H old at most.
  const failedHazards = await inParallel(scenario.hazards, 4, (h) => client.request('POST', '/v1/hazards', { role: 'dispatcher', body: h }));
  process.stdout.write(
    `replay: history of ${segments.length} segments: ${scenario.accidents.length - failedCrashes} crashes over ${options.crashYears} years, ` +
      `${scenario.hazards.length - failedHazards} hazard reports over ${options.hazardDays} days (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  // The task service reads the import's segment profiles and risk changes before the history's
  // reports: wait until the open tasks stop changing (bounded), not a fixed moment.
  const settled = await waitForOpenTasks(client);
  process.stdout.write(`replay: ${settled.count} open tasks after ${(settled.ms / 1000).toFixed(1)} s\n`);
  // The weeks behind us: the most urgent tasks were worked through to the inspector's verdict.
  const finished: Record<string, number> = {};
  for (const task of chooseTasks(await openTasks(client), random, 30)) {
    for (const step of await workThrough(client, task, random)) finished[step] = (finished[step] ?? 0) + 1;
  }
  process.stdout.write(`replay: crews and inspectors worked through 30 tasks: ${JSON.stringify(finished)}\n`);
  const until = Date.now() + options.liveMinutes * 60_000;
  let liveEvents = 0;
  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  while (!stopping && Date.now() < until) {
    const r = random.next();
    try {
      if (r < 0.55) {
        await client.request('POST', '/v1/hazards', { body: makeHazard(random.weighted(segments, (s) => s.lengthM), new Date(), random) });
      } else if (r < 0.75) {
        const accident = makeAccident(random.weighted(segments, crashWeight), new Date(), `${runLabel}-live-${Date.now().toString(36)}`, random);
        await client.request('POST', '/v1/accidents', { role: 'dispatcher', body: accident });
      } else {
        await crewRound(client, random, 3);
      }
      liveEvents++;
      if (liveEvents % 20 === 0) process.stdout.write(`replay: ${liveEvents} live events so far\n`);
    } catch (err) {
      process.stderr.write(`replay: ${(err as Error).message}\n`);
    }
    await sleep(options.intervalS * 1000 * (0.5 + random.next()));
  }
  process.stdout.write(`replay: done after ${liveEvents} live events\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      if (err instanceof CommandLineError) {
        process.stderr.write(`replay: ${err.message}\n${USAGE}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`replay: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
