import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLE_DATA_DIR, freePort } from './environment';
import { waitFor } from './wait-for';

export interface RunningService {
  name: string;
  url: string;
  process: ChildProcess;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const LOG_DIR = join(REPO_ROOT, '.roadloop', 'test-logs');

/**
 * Starts a built service (`services/<name>/dist/main.js`) and waits until it is ready (/health: its
 * database, broker and consumers), or only alive (/health/live) when `until` says so.
 */
export async function startService(
  name: string,
  port: number,
  env: Record<string, string>,
  { until = 'ready', timeoutMs = 60_000 }: { until?: 'ready' | 'live'; timeoutMs?: number } = {},
): Promise<RunningService> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}-${port}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'services', name, 'dist', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const probe = until === 'ready' ? '/health' : '/health/live';
  const ready = waitFor(
    `${name} to answer on ${url}${probe} (log: ${logFile})`,
    async () => {
      const res = await fetch(`${url}${probe}`, { signal: AbortSignal.timeout(10_000) });
      return res.ok ? true : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
  // A service that exits while starting fails the start at once, not at the timeout.
  const died = exited.then((code) => Promise.reject(new Error(`${name} exited with code ${code}; see ${logFile}`)));
  await Promise.race([ready, died]).catch((err: unknown) => {
    // A service that never became ready is not left running behind the failed test.
    child.kill('SIGKILL');
    throw err;
  });
  died.catch(() => undefined);
  return {
    name,
    url,
    process: child,
    logFile,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export const SAMPLE_SEGMENTS = join(REPO_ROOT, 'services/risk-service/fixtures/sample-segments.geojson');

/** Runs a service's command-line tool (`services/<name>/dist/cli.js`) to completion. */
export function runServiceCli(name: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'services', name, 'dist', 'cli.js'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

/** Scores and imports the sample region (OpenStreetMap extract + SRTM tile) into the risk schema of `env`. */
export function importSampleRegion(env: Record<string, string>) {
  return runServiceCli(
    'risk-service',
    ['import', '--osm', join(SAMPLE_DATA_DIR, 'andorra.osm.pbf'), '--dem', join(SAMPLE_DATA_DIR, 'N42E001.hgt')],
    env,
  );
}

/** The three services on free ports, wired to each other: risk and task in their own schemas, the gateway in front. */
export async function startStack(common: Record<string, string>, schemas: { risk: string; task: string }, { timeoutMs }: { timeoutMs?: number } = {}) {
  const risk = await startService('risk-service', await freePort(), { ...common, DB_SCHEMA: schemas.risk }, { timeoutMs });
  const task = await startService('task-service', await freePort(), { ...common, DB_SCHEMA: schemas.task }, { timeoutMs });
  const gateway = await startService('ingest-gateway', await freePort(), { ...common, TASK_SERVICE_URL: task.url, RISK_SERVICE_URL: risk.url }, { timeoutMs });
  return { risk, task, gateway, all: [risk, task, gateway] };
}
